# Sourced by bench/*/run.sh. bench_run WANTS_NODE MAIN_CLASS JAVA_OPTS [args...]: builds the
# orchestrator jar if it is missing (when WANTS_NODE is 1), builds the bench project
# (bench/commands/pom.xml, every harness's classes), runs MAIN_CLASS with --jar and --out, and
# stops what the bench JVM recorded in $OUT/children.pid if it dies without its own shutdown hook
# (kill -9): each child by pid, only if that pid still runs that command line; then calls
# bench_after_cleanup when the harness defines it.
# Expects HERE (the harness folder); sets ROOT, PROJECT, JAR, OUT (BENCH_OUT overrides OUT).
bench_run() {
  local wants_node=$1 main=$2 java_opts=$3
  shift 3
  ROOT=$(cd "$HERE/../.." && pwd)
  PROJECT="$ROOT/bench/commands"
  JAR="$ROOT/cluster-config/target/orchestrator.jar"
  OUT="${BENCH_OUT:-$HERE/target/results}"

  if [ "$wants_node" = 1 ] && [ ! -f "$JAR" ]; then
    echo "building the orchestrator jar (mvn -B -DskipTests package at $ROOT) ..."
    (cd "$ROOT" && mvn -B -q -DskipTests package)
  fi
  echo "building the bench project (bench/commands/pom.xml) ..."
  mvn -B -q -f "$PROJECT/pom.xml" -DskipTests package

  PIDS="$OUT/children.pid"
  trap bench_exit EXIT
  mkdir -p "$OUT"
  cd "$HERE"
  set +e
  java ${BENCH_JAVA_OPTS:-$java_opts} -cp "$PROJECT/target/classes:$(cat "$PROJECT/target/classpath.txt")" \
    "$main" --jar="$JAR" --out="$OUT" "$@"
  local code=$?
  set -e
  return $code
}

bench_cleanup() {
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

# bench_cleanup, then bench_after_cleanup if the harness's run.sh defines it (bench/failover: the
# partition run's network namespaces).
bench_exit() {
  bench_cleanup
  if declare -F bench_after_cleanup >/dev/null; then bench_after_cleanup; fi
}
