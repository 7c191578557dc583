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
. "$HERE/../lib.sh"

wants_node=1
for a in "$@"; do
  case "$a" in -h|--help) wants_node=0 ;; esac
done
bench_run "$wants_node" dev.orchestrator.bench.components.Main -Xmx512m "$@"
