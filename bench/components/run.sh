#!/usr/bin/env bash
# bench/components: components on one orchestrator node: (a) registrations, (b) lifecycle round
# trips, (c) 10,000 simulated components polled every second. The one command: builds the
# orchestrator jar if it is missing, builds the bench project (bench/commands/pom.xml, package
# dev.orchestrator.bench.components), runs it, prints the figures. Options: --name=value or
# BENCH_NAME env (run.sh --help lists them), e.g.
#   bench/components/run.sh                                        # everything, 10,000 components, 60 s
#   BENCH_COMPONENTS=1000 BENCH_SECONDS=20 bench/components/run.sh # quick
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PROJECT="$ROOT/bench/commands"
JAR="$ROOT/cluster-config/target/orchestrator.jar"
OUT="${BENCH_OUT:-$HERE/target/results}"

wants_node=1
for a in "$@"; do
  case "$a" in -h|--help) wants_node=0 ;; esac
done

if [ "$wants_node" = 1 ] && [ ! -f "$JAR" ]; then
  echo "building the orchestrator jar (mvn -B -DskipTests package at $ROOT) ..."
  (cd "$ROOT" && mvn -B -q -DskipTests package)
fi

echo "building the bench project (bench/commands/pom.xml) ..."
mvn -B -q -f "$PROJECT/pom.xml" -DskipTests package

# Last-resort cleanup: if the bench JVM dies without running its own shutdown hook (kill -9), stop
# the children it recorded (node JVM, postmaster), each by pid and only if it still is that process.
PIDS="$OUT/children.pid"
cleanup() {
  [ -f "$PIDS" ] || return 0
  while read -r what pid marker; do
    [ -n "${pid:-}" ] && [ -r "/proc/$pid/cmdline" ] || continue
    if tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$marker"; then
      echo "run.sh: stopping leftover $what (pid $pid)" >&2
      if [ "$what" = postgres ]; then kill -INT "$pid" 2>/dev/null || true; else kill -TERM "$pid" 2>/dev/null || true; fi
      for _ in $(seq 1 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
      [ -d "/proc/$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    fi
    case "$what:$marker" in postgres:/tmp/bench-commands-pg-*) rm -rf -- "$marker" ;; esac
  done < "$PIDS"
  rm -f "$PIDS"
}
trap cleanup EXIT

mkdir -p "$OUT"
cd "$HERE"
set +e
java ${BENCH_JAVA_OPTS:--Xmx512m} -cp "$PROJECT/target/classes:$(cat "$PROJECT/target/classpath.txt")" \
  dev.orchestrator.bench.components.Main --jar="$JAR" --out="$OUT" "$@"
code=$?
set -e
exit $code
