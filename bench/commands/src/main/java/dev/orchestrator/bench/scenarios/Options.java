package dev.orchestrator.bench.scenarios;

import dev.orchestrator.bench.commands.CliOptions;
import java.nio.file.Path;

/**
 * bench/scenarios settings: {@code --name=value} (or {@code --name value}), else the environment
 * variable {@code BENCH_NAME} (upper case, '-' as '_'), else the default. Same rules as the other
 * benches.
 */
final class Options extends CliOptions {
  static final String USAGE =
      """
      usage: bench/scenarios/run.sh [--name=value ...]   (each also as env BENCH_<NAME>, e.g. BENCH_PHASES=a)
        --phases=a,b,c            a: concurrent five-step runs, b: event -> first action, c: memory of many runs
        --clients=8               HTTP clients where the bench sends many requests (c, reads)
      (a) concurrent five-step runs on simulated components
        --components=50           simulated components registered (pollInterval below)
        --poll-interval=100ms     their pollInterval
        --runs=50                 runs started at once per round (run i acts on component i mod components)
        --rounds=3                measured rounds
        --warmup-rounds=1         unmeasured rounds first (printed as "cold")
        --transition-time=200ms   the simulated driver's transition time (the node's default), passed
                                  as -Dorchestrator.components.simulated.transition-time
        --action-poll-interval=250ms  how often send_command / wait_for_state look (the node's
                                  default), passed as -Dorchestrator.scenarios.actions.poll-interval
      (b) event -> first action
        --rate=20                 POST /api/v1/events per second (open loop, paced)
        --seconds=20              measured length
        --warmup-s=60             unmeasured events first, at the same rate (a fresh node's JIT
                                  compiles for about a minute; 5 shows the cold node)
      (c) memory of many concurrent runs
        --waiting-runs=1000       runs left waiting (wait_for_state for a state that never comes)
        --max-concurrent-scenarios=2000  the node's global limit (ORCH_MAX_CONCURRENT_SCENARIOS)
      node and run
        --url=http://127.0.0.1:8080  use this running node instead of starting one (then also --token;
                                  --pid for the memory figures; its settings are its own)
        --token=...               admin token of the running node
        --pid=N                   pid of the running node's JVM (for jcmd and RSS)
        --jar=PATH                orchestrator fat jar (run.sh passes cluster-config/target/orchestrator.jar)
        --node-java-opts=-Xmx1g   JVM options of the node the bench starts
        --max-minutes=30          hard deadline for the whole run (then everything is stopped)
        --out=DIR                 logs and results-*.json (default bench/scenarios/target/results)
      """;

  static Options parse(String[] args) {
    Options o = new Options();
    o.read(args, USAGE);
    return o;
  }

  boolean phase(char p) {
    return phase(p, "a,b,c");
  }

  int clients() {
    return integer("clients", 8, 1);
  }

  int components() {
    return integer("components", 50, 1);
  }

  long pollMs() {
    return millis("poll-interval", "100ms");
  }

  int runs() {
    return integer("runs", 50, 1);
  }

  int rounds() {
    return integer("rounds", 3, 1);
  }

  int warmupRounds() {
    return integer("warmup-rounds", 1, 0);
  }

  long transitionMs() {
    return millis("transition-time", "200ms");
  }

  long actionPollMs() {
    return millis("action-poll-interval", "250ms");
  }

  int rate() {
    return integer("rate", 20, 1);
  }

  int seconds() {
    return integer("seconds", 20, 1);
  }

  int warmupSeconds() {
    return integer("warmup-s", 60, 0);
  }

  int waitingRuns() {
    return integer("waiting-runs", 1000, 1);
  }

  int maxConcurrentScenarios() {
    return integer("max-concurrent-scenarios", 2000, 1);
  }

  /** The running node to use, or null to start one. */
  String url() {
    return str("url", null);
  }

  String token() {
    return str("token", null);
  }

  long pid() {
    return integer("pid", 0, 0);
  }

  Path jar() {
    return Path.of(str("jar", "../../cluster-config/target/orchestrator.jar")).toAbsolutePath();
  }

  String nodeJavaOpts() {
    return str("node-java-opts", "-Xmx1g");
  }

  int maxMinutes() {
    return integer("max-minutes", 30, 1);
  }

  Path out() {
    return Path.of(str("out", "target/results")).toAbsolutePath();
  }
}
