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
        --scenario=kill           kill: kill -9 of the singleton's node; partition: network partitions
                                  (each node in its own network namespace, iptables; root)
        --rounds=10               kill: kill -9 of the singleton's node, then its restart, this many
                                  times; partition (default 4): one node cut off, then healed
        --nodes=3                 node JVMs (cluster mode, all roles, all of them seeds)
        --rate=20                 noop commands submitted per second (open loop), round-robin over the
                                  nodes; a refused or failed submit is retried on the next node with
                                  the same idempotency key; acknowledged = a 202
        --running=6               kill: sleep commands started before each kill, one per node in turn;
                                  for those that ran on the killed node, kill -> running again
                                  elsewhere (their second attempt's start); 0: none
        --give-up=60s             a command not acknowledged after this long is counted as refused
        --warmup-s=20             load before the first round (JIT, connections)
        --settle-s=5              load after the restarted node is Up again, before the next round
        --recovery-timeout=120s   a round fails when the singleton does not answer within this
        --node-java-opts=-Xmx384m JVM options of each node
        partition only:
        --other-rounds=3          rounds (comma-separated numbers) that cut off a node that does not
                                  run the singleton; the others cut off the singleton's node
        --partition-min-s=15      a partition lasts at least this long (the split brain resolver
                                  decides after stable-after, 7 s, of unreachability) ...
        --partition-max-s=60      ... and until the cut-off node has exited and (singleton rounds)
                                  the majority's singleton answers, at most this long
        --rejoin-wait-s=30        after the heal, how long a cut-off node that still runs gets to
                                  exit or be Up again before the bench kills and restarts it
        --event-rate=2            POST /api/v1/events per second (journaled by the singleton)
        --lifecycle-rate=2        lifecycle commands per second to the simulated components
        --components=4            simulated components registered for them
        --poll-ms=250             pause between two GET /api/v1/cluster to a node (one at a time)
        --netns-prefix=orchp      names of the namespaces (orchp0..2) and the bridge (orchpbr)
        --netns-subnet=10.231.0   their /24: the bridge (PostgreSQL) at .1, node i at .(10+i)
        --jar=PATH                orchestrator fat jar (run.sh passes cluster-config/target/orchestrator.jar)
        --max-minutes=40          hard deadline for the whole run (then everything is stopped)
        --out=DIR                 logs and results-*.json (default bench/failover/target/results)
      """;

  static Options parse(String[] args) {
    Options o = new Options();
    o.read(args, USAGE);
    return o;
  }

  boolean partition() {
    String s = str("scenario", "kill");
    if (!s.equals("kill") && !s.equals("partition")) {
      throw new IllegalArgumentException("--scenario must be kill or partition, got " + s);
    }
    return s.equals("partition");
  }

  int rounds() {
    return integer("rounds", partition() ? 4 : 10, 1);
  }

  /** The rounds that cut off a node that does not run the singleton. */
  java.util.Set<Integer> otherRounds() {
    java.util.Set<Integer> rounds = new java.util.TreeSet<>();
    for (String part : str("other-rounds", "3").split(",")) {
      if (part.isBlank()) {
        continue;
      }
      try {
        rounds.add(Integer.parseInt(part.trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("--other-rounds: '" + part + "' is not a round number");
      }
    }
    return rounds;
  }

  int running() {
    return integer("running", 6, 0);
  }

  int partitionMinS() {
    return integer("partition-min-s", 15, 1);
  }

  int partitionMaxS() {
    return Math.max(partitionMinS(), integer("partition-max-s", 60, 1));
  }

  int rejoinWaitS() {
    return integer("rejoin-wait-s", 30, 0);
  }

  double eventRate() {
    return decimal("event-rate", 2);
  }

  double lifecycleRate() {
    return decimal("lifecycle-rate", 2);
  }

  int components() {
    return integer("components", 4, 1);
  }

  int pollMs() {
    return integer("poll-ms", 250, 20);
  }

  String netnsPrefix() {
    String p = str("netns-prefix", "orchp");
    if (!p.matches("[a-z][a-z0-9]{0,7}")) {
      throw new IllegalArgumentException(
          "--netns-prefix must be 1 to 8 lower-case letters or digits, got " + p);
    }
    return p;
  }

  String netnsSubnet() {
    String s = str("netns-subnet", "10.231.0");
    if (!s.matches("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){2}")) {
      throw new IllegalArgumentException(
          "--netns-subnet must be the first three numbers of an IPv4 /24, such as 10.231.0; got "
              + s);
    }
    return s;
  }

  /** bench/failover/netns.sh (run.sh passes it). */
  Path netnsScript() {
    return Path.of(str("netns-script", "netns.sh")).toAbsolutePath();
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
