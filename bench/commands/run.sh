#!/usr/bin/env bash
# bench/commands: durable noop commands, orchestrator vs db-scheduler 16.x, same PostgreSQL, one run.
# The one command: builds the orchestrator jar if it is missing, builds this bench, runs it, prints
# the figures. Options: --name=value or BENCH_NAME env (run.sh --help lists them), e.g.
#   bench/commands/run.sh                                  # everything, N=20000, 200/s x 30 s
#   bench/commands/run.sh --systems=db-scheduler           # only db-scheduler
#   BENCH_N=5000 BENCH_SECONDS=10 bench/commands/run.sh    # a quicker run
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"

wants_orchestrator=1
for a in "$@"; do
  case "$a" in
    --systems=db-scheduler) wants_orchestrator=0 ;;
    -h|--help) wants_orchestrator=0 ;;
  esac
done
[ "${BENCH_SYSTEMS:-}" = "db-scheduler" ] && wants_orchestrator=0
bench_run "$wants_orchestrator" dev.orchestrator.bench.commands.Main -Xmx1g "$@"
