#!/usr/bin/env bash
# bench/commands: durable noop commands, orchestrator vs db-scheduler 16.x, same PostgreSQL, one run.
# The one command: builds the orchestrator jar if it is missing, builds this bench, runs it, prints
# the figures. Options: --name=value or BENCH_NAME env (run.sh --help lists them), e.g.
#   bench/commands/run.sh                                  # everything, N=20000, 200/s x 30 s
#   bench/commands/run.sh --systems=db-scheduler           # only db-scheduler
#   BENCH_N=5000 BENCH_SECONDS=10 bench/commands/run.sh    # a quicker run
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
JAR="$ROOT/cluster-config/target/orchestrator.jar"
OUT="${BENCH_OUT:-$HERE/target/results}"

wants_orchestrator=1
for a in "$@"; do
  case "$a" in
    --systems=db-scheduler) wants_orchestrator=0 ;;
    -h|--help) wants_orchestrator=0 ;;
  esac
done
[ "${BENCH_SYSTEMS:-}" = "db-scheduler" ] && wants_orchestrator=0

if [ "$wants_orchestrator" = 1 ] && [ ! -f "$JAR" ]; then
  echo "building the orchestrator jar (mvn -B -DskipTests package at $ROOT) ..."
  (cd "$ROOT" && mvn -B -q -DskipTests package)
fi

echo "building bench/commands ..."
mvn -B -q -f "$HERE/pom.xml" -DskipTests package

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
java ${BENCH_JAVA_OPTS:--Xmx1g} -cp "$HERE/target/classes:$(cat "$HERE/target/classpath.txt")" \
  dev.orchestrator.bench.commands.Main --jar="$JAR" --out="$OUT" "$@"
code=$?
set -e
exit $code
