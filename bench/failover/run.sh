#!/usr/bin/env bash
# bench/failover: one PostgreSQL (orchestrator.jar postgres: embedded binaries, fsync on), three
# node JVMs in cluster mode on 127.0.0.1, noop commands submitted continuously; ten times: kill -9
# of the node hosting the orchestrator singleton, time until the singleton answers on a survivor,
# restart of the killed node. Then every acknowledged command is checked. The one command: builds
# the orchestrator jar if it is missing, builds the bench project (bench/commands/pom.xml, package
# dev.orchestrator.bench.failover), prints the figures. Options: --name=value or BENCH_NAME env
# (run.sh --help), e.g.
#   bench/failover/run.sh                  # 10 rounds at 20 commands/s
#   bench/failover/run.sh --rounds=3 --rate=50
# --scenario=partition (root): each node in its own network namespace (netns.sh), rounds of one
# node cut off from the others with iptables, then healed; checks one singleton at a time and no
# dual writes. iptables (and iproute2) are installed with apt-get when missing.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"

wants_node=1
scenario=${BENCH_SCENARIO:-kill}
for a in "$@"; do
  case "$a" in
    -h|--help) wants_node=0 ;;
    --scenario=*) scenario=${a#--scenario=} ;;
  esac
done
prev=
for a in "$@"; do
  [ "$prev" = --scenario ] && scenario=$a
  prev=$a
done

extra=()
if [ "$scenario" = partition ] && [ "$wants_node" = 1 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "run.sh --scenario=partition needs root (ip netns, iptables)" >&2
    exit 2
  fi
  missing=()
  command -v ip >/dev/null || missing+=(iproute2)
  command -v iptables >/dev/null || missing+=(iptables)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing the Debian packages ${missing[*]} (apt-get install -y ${missing[*]}) ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  bash "$HERE/netns.sh" check
  # The bench JVM removes its network itself; this is for when it cannot (kill -9 of it).
  bench_after_cleanup() {
    local env="$OUT/netns.env"
    [ -f "$env" ] || return 0
    echo "run.sh: removing the network namespaces left behind" >&2
    (set -a; . "$env"; bash "$HERE/netns.sh" down "$BENCH_NETNS_NODES") || true
    rm -f "$env"
  }
  extra=(--netns-script="$HERE/netns.sh")
fi
bench_run "$wants_node" dev.orchestrator.bench.failover.Main -Xmx256m "$@" "${extra[@]}"
