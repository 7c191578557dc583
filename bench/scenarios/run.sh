#!/usr/bin/env bash
# bench/scenarios: the scenario engine on one node in dev mode (ORCH_EXAMPLES=off, a fresh data
# directory): (a) 50 concurrent five-step runs on simulated components, (b) event -> first action
# latency, (c) memory of 1,000 runs under way and how long cancelling them takes. The one command:
# builds the orchestrator jar if it is missing, builds the bench project (bench/commands/pom.xml,
# package dev.orchestrator.bench.scenarios), starts the node (or uses a running one with --url,
# --token, --pid), prints the figures. Options: --name=value or BENCH_NAME env (run.sh --help), e.g.
#   bench/scenarios/run.sh                       # everything
#   bench/scenarios/run.sh --phases=b --rate=50  # only the event latency, 50 events/s
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../lib.sh"

wants_node=1
for a in "$@"; do
  case "$a" in -h|--help|--url|--url=*) wants_node=0 ;; esac
done
[ -n "${BENCH_URL:-}" ] && wants_node=0
bench_run "$wants_node" dev.orchestrator.bench.scenarios.Main -Xmx512m "$@"
