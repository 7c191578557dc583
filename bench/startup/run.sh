#!/usr/bin/env bash
# Startup benchmark: time from `java -jar` to /health/ready (first start with an empty data
# directory, then a restart on the same data), and the node's resident memory once ready.
# Usage: bench/startup/run.sh [runs]   (builds the jar if it is missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-3}
JAR=cluster-config/target/orchestrator.jar
[ -f "$JAR" ] || mvn -B -q -DskipTests package
PORT=${BENCH_HTTP_PORT:-18480}
NODE_PORT=${BENCH_NODE_PORT:-25580}
DATA=$(mktemp -d)
PID=""
READY_MS=0
trap '[ -n "$PID" ] && kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DATA"' EXIT

now_ms() { date +%s%3N; }

start_and_wait() {
  local t0 t1
  if curl -sf "localhost:$PORT/health/alive" > /dev/null 2>&1; then
    echo "something already answers on port $PORT; set BENCH_HTTP_PORT" >&2
    exit 1
  fi
  t0=$(now_ms)
  ORCH_DATA_DIR="$DATA" ORCH_HTTP_PORT=$PORT ORCH_NODE_PORT=$NODE_PORT \
    java ${BENCH_JAVA_OPTS:-} -jar "$JAR" > "$DATA/node.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 1200); do
    if curl -sf "localhost:$PORT/health/ready" > /dev/null 2>&1; then
      t1=$(now_ms)
      READY_MS=$((t1 - t0))
      return 0
    fi
    kill -0 $PID 2>/dev/null || { echo "node exited; log: $DATA/node.log" >&2; cat "$DATA/node.log" >&2; exit 1; }
    sleep 0.05
  done
  echo "node not ready after 60 s" >&2
  exit 1
}

stop_node() {
  kill -TERM $PID
  wait $PID 2>/dev/null || true
}

rss_mib() {
  # The JVM and its embedded PostgreSQL processes are counted separately.
  local jvm pg
  jvm=$(ps -o rss= -p $PID | tr -d ' ')
  pg=$(ps -eo rss=,args= | awk -v d="$DATA" 'index($0, d) && /postgres/ {s+=$1} END {print s+0}')
  echo "$((jvm / 1024)) $((pg / 1024))"
}

start_and_wait
read -r jvm pg < <(rss_mib)
stop_node
echo "first start (initdb + migrations): ${READY_MS} ms to ready; RSS JVM ${jvm} MiB, PostgreSQL ${pg} MiB"
for i in $(seq 1 "$RUNS"); do
  start_and_wait
  read -r jvm pg < <(rss_mib)
  stop_node
  echo "restart $i: ${READY_MS} ms to ready; RSS JVM ${jvm} MiB, PostgreSQL ${pg} MiB"
done
