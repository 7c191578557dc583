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
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"

wants_node=1
for a in "$@"; do
  case "$a" in -h|--help) wants_node=0 ;; esac
done
bench_run "$wants_node" dev.orchestrator.bench.failover.Main -Xmx256m "$@"
