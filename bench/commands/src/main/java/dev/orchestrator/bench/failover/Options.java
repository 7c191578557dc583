package dev.orchestrator.bench.failover;

import dev.orchestrator.bench.commands.CliOptions;
import java.nio.file.Path;

/**
 * bench/failover settings: {@code --name=value} (or {@code --name value}), else the environment
 * variable {@code BENCH_NAME} (upper case, '-' as '_'), else the default. Same rules as the other
 * benches.
 */
final class Options extends CliOptions {
  static final String USAGE =
      """
      usage: bench/failover/run.sh [--name=value ...]   (each also as env BENCH_<NAME>, e.g. BENCH_ROUNDS=3)
        --rounds=10               kill -9 of the singleton's node, then its restart, this many times
        --nodes=3                 node JVMs (cluster mode, all roles, all of them seeds)
        --rate=20                 noop commands submitted per second (open loop), round-robin over the
                                  nodes; a refused or failed submit is retried on the next node with
                                  the same idempotency key; acknowledged = a 202
        --give-up=60s             a command not acknowledged after this long is counted as refused
        --warmup-s=20             load before the first round (JIT, connections)
        --settle-s=5              load after the restarted node is Up again, before the next round
        --recovery-timeout=120s   a round fails when the singleton does not answer within this
        --node-java-opts=-Xmx384m JVM options of each node
        --jar=PATH                orchestrator fat jar (run.sh passes cluster-config/target/orchestrator.jar)
        --max-minutes=40          hard deadline for the whole run (then everything is stopped)
        --out=DIR                 logs and results-*.json (default bench/failover/target/results)
      """;

  static Options parse(String[] args) {
    Options o = new Options();
    o.read(args, USAGE);
    return o;
  }

  int rounds() {
    return integer("rounds", 10, 1);
  }

  int nodes() {
    return integer("nodes", 3, 3);
  }

  double rate() {
    double r = decimal("rate", 20);
    if (r <= 0 || r > 1000) {
      throw new IllegalArgumentException("--rate must be > 0 and <= 1000, got " + r);
    }
    return r;
  }

  long giveUpMs() {
    return millis("give-up", "60s");
  }

  int warmupS() {
    return integer("warmup-s", 20, 0);
  }

  int settleS() {
    return integer("settle-s", 5, 0);
  }

  long recoveryTimeoutMs() {
    return millis("recovery-timeout", "120s");
  }

  String nodeJavaOpts() {
    return str("node-java-opts", "-Xmx384m");
  }

  int maxMinutes() {
    return integer("max-minutes", 40, 1);
  }

  Path jar() {
    return Path.of(str("jar", "../../cluster-config/target/orchestrator.jar")).toAbsolutePath();
  }

  Path out() {
    return Path.of(str("out", "target/results")).toAbsolutePath();
  }
}
