package dev.orchestrator.bench.components;

import dev.orchestrator.bench.commands.CliOptions;
import java.nio.file.Path;

/**
 * bench/components settings: {@code --name=value} (or {@code --name value}), else the environment
 * variable {@code BENCH_NAME} (upper case, '-' as '_'), else the default. Same rules as
 * bench/commands.
 */
final class Options extends CliOptions {
  static final String USAGE =
      """
      usage: bench/components/run.sh [--name=value ...]   (each also as env BENCH_<NAME>, e.g. BENCH_COMPONENTS=1000)
        --phases=a,b,c            which phases: a registrations, b lifecycle round trip, c many components polled
        --clients=8               concurrent HTTP clients where the bench uses several
      (a) registrations
        --reg-n=100               PUTs per measured round
        --reg-rounds=3            measured rounds (sequential and 8 clients each)
        --reg-warmup=200          unmeasured registrations first (its time is printed as "cold")
      (b) lifecycle round trip
        --lc-n=50                 components in the group
        --lc-layers=1             dependency layers (1: no dependsOn, one step; L: each component of
                                  layer k depends on one of layer k-1, L steps)
        --lc-runs=3               measured group runs (each CMD_INITIALIZED, then an unmeasured CMD_STOPPED back)
        --lc-warmup=5             unmeasured group runs before them (the first runs after start are
                                  slower, the JIT: their times are printed as "cold")
        --lc-poll-interval=100ms  pollInterval of the phase's components (the minimum)
        --lc-pause=1s             before each group run: the read side shows the group STOPPED
                                  again, and this long since the stop run before it ended (0:
                                  back to back, the node still folding the run before)
        --rt-tries=50             single-component round trips (POST .../lifecycle, then GET until reached)
        --transition-time=200ms   the simulated driver's transition time, passed to the node as
                                  -Dorchestrator.components.simulated.transition-time
      (c) many components polled on one node
        --components=10000        components registered (8 clients)
        --poll-interval=1s        their pollInterval
        --seconds=60              steady phase length
        --warm-s=10               wait after the journal went quiet before the steady phase
        --samples-per-s=200       GET /api/v1/components/{random id} per second for the poll lag
        --baseline-s=10           node CPU windows without the sampler: with no components (before
                                  registering) and after the steady phase (0: skip both)
        --run-over-all=1          then one lifecycle run over all of them (CMD_INITIALIZED; 0: none)
      node and run
        --jar=PATH                orchestrator fat jar (run.sh passes cluster-config/target/orchestrator.jar)
        --node-java-opts=-Xmx1g   JVM options of the node
        --max-minutes=40          hard deadline for the whole run (then everything is stopped)
        --out=DIR                 logs and results-*.json (default bench/components/target/results)
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

  int regN() {
    return integer("reg-n", 100, 1);
  }

  int regRounds() {
    return integer("reg-rounds", 3, 1);
  }

  int regWarmup() {
    return integer("reg-warmup", 200, 0);
  }

  int lcN() {
    return integer("lc-n", 50, 1);
  }

  int lcLayers() {
    return integer("lc-layers", 1, 1);
  }

  int lcRuns() {
    return integer("lc-runs", 3, 1);
  }

  int lcWarmup() {
    return integer("lc-warmup", 5, 0);
  }

  long lcPauseMs() {
    return millis("lc-pause", "1s");
  }

  long lcPollMs() {
    return millis("lc-poll-interval", "100ms");
  }

  int rtTries() {
    return integer("rt-tries", 50, 1);
  }

  long transitionMs() {
    return millis("transition-time", "200ms");
  }

  int components() {
    return integer("components", 10_000, 1);
  }

  long pollMs() {
    return millis("poll-interval", "1s");
  }

  int seconds() {
    return integer("seconds", 60, 1);
  }

  int warmSeconds() {
    return integer("warm-s", 10, 0);
  }

  int baselineSeconds() {
    return integer("baseline-s", 10, 0);
  }

  boolean bigRun() {
    return integer("run-over-all", 1, 0) > 0;
  }

  int samplesPerSecond() {
    return integer("samples-per-s", 200, 1);
  }

  Path jar() {
    return Path.of(str("jar", "../../cluster-config/target/orchestrator.jar")).toAbsolutePath();
  }

  String nodeJavaOpts() {
    return str("node-java-opts", "-Xmx1g");
  }

  int maxMinutes() {
    return integer("max-minutes", 40, 1);
  }

  Path out() {
    return Path.of(str("out", "target/results")).toAbsolutePath();
  }
}
