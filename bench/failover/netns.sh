#!/usr/bin/env bash
# The network of bench/failover's partition run (run.sh --scenario=partition calls it; root only):
#   netns.sh up N       a bridge <prefix>br at <subnet>.1/24 in the host namespace and N network
#                       namespaces <prefix>0..N-1, each joined to the bridge by a veth pair, node i
#                       at <subnet>.<10+i> (its default route: the bridge, where PostgreSQL and
#                       the bench are)
#   netns.sh cut I N    node I cut off from the other nodes: iptables DROP in namespace I of every
#                       packet from or to their addresses (both directions; PostgreSQL and the
#                       bench still reach it)
#   netns.sh heal I     those rules removed (namespace I's filter table holds no others)
#   netns.sh down N     every process still in the namespaces stopped (TERM, then KILL after 10 s),
#                       the namespaces, their veths and the bridge deleted; safe to repeat
#   netns.sh check      exits 0 when ip netns and iptables work here
# BENCH_NETNS_PREFIX (orchp, at most 8 characters) and BENCH_NETNS_SUBNET (10.231.0) choose the
# names and the /24.
set -euo pipefail
PREFIX=${BENCH_NETNS_PREFIX:-orchp}
SUBNET=${BENCH_NETNS_SUBNET:-10.231.0}
BRIDGE="${PREFIX}br"

host_of() { echo "$SUBNET.$((10 + $1))"; }

stop_namespace() {
  local ns=$1 pids
  ip netns list | grep -qw "^$ns" || return 0
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  if [ -n "$pids" ]; then
    echo "netns.sh: stopping what still runs in $ns: $(echo $pids)" >&2
    kill -TERM $pids 2>/dev/null || true
    for _ in $(seq 1 100); do
      [ -z "$(ip netns pids "$ns" 2>/dev/null || true)" ] && break
      sleep 0.1
    done
    pids=$(ip netns pids "$ns" 2>/dev/null || true)
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
  fi
  ip netns del "$ns" 2>/dev/null || true
}

down() {
  local n=$1
  for i in $(seq 0 $((n - 1))); do
    stop_namespace "$PREFIX$i"
    ip link del "${PREFIX}v$i" 2>/dev/null || true
  done
  ip link del "$BRIDGE" 2>/dev/null || true
}

up() {
  local n=$1
  for i in $(seq 0 $((n - 1))); do
    if ip netns list | grep -qw "^$PREFIX$i" && [ -n "$(ip netns pids "$PREFIX$i" || true)" ]; then
      echo "netns.sh: namespace $PREFIX$i exists and runs processes (another partition run?);" \
        "choose another BENCH_NETNS_PREFIX and BENCH_NETNS_SUBNET, or run: $0 down $n" >&2
      exit 1
    fi
  done
  down "$n"
  ip link add "$BRIDGE" type bridge
  ip addr add "$SUBNET.1/24" dev "$BRIDGE"
  ip link set "$BRIDGE" up
  for i in $(seq 0 $((n - 1))); do
    local ns="$PREFIX$i"
    ip netns add "$ns"
    ip link add "${PREFIX}v$i" type veth peer name eth0 netns "$ns"
    ip link set "${PREFIX}v$i" master "$BRIDGE" up
    ip -n "$ns" addr add "$(host_of "$i")/24" dev eth0
    ip -n "$ns" link set eth0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" route add default via "$SUBNET.1"
  done
}

cut() {
  local victim=$1 n=$2 ns="$PREFIX$1"
  for j in $(seq 0 $((n - 1))); do
    [ "$j" = "$victim" ] && continue
    ip netns exec "$ns" iptables -w -I INPUT -s "$(host_of "$j")" -j DROP
    ip netns exec "$ns" iptables -w -I OUTPUT -d "$(host_of "$j")" -j DROP
  done
}

heal() {
  local ns="$PREFIX$1"
  ip netns exec "$ns" iptables -w -F INPUT
  ip netns exec "$ns" iptables -w -F OUTPUT
}

check() {
  [ "$(id -u)" = 0 ] || { echo "netns.sh: needs root (ip netns, iptables)" >&2; return 1; }
  command -v ip >/dev/null || { echo "netns.sh: 'ip' (iproute2) not found" >&2; return 1; }
  command -v iptables >/dev/null || { echo "netns.sh: 'iptables' not found" >&2; return 1; }
  local probe="${PREFIX}probe"
  ip netns del "$probe" 2>/dev/null || true
  if ! ip netns add "$probe" || ! ip netns exec "$probe" iptables -w -S >/dev/null; then
    ip netns del "$probe" 2>/dev/null || true
    echo "netns.sh: cannot create a network namespace or use iptables in it (CAP_NET_ADMIN?)" >&2
    return 1
  fi
  ip netns del "$probe"
}

case "${1:-}" in
  up) up "${2:?N}" ;;
  cut) cut "${2:?I}" "${3:?N}" ;;
  heal) heal "${2:?I}" ;;
  down) down "${2:?N}" ;;
  check) check ;;
  *) sed -n '2,17p' "$0" >&2; exit 2 ;;
esac
