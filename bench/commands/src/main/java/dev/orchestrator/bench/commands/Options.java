package dev.orchestrator.bench.commands;

import java.nio.file.Path;

/**
 * The bench's settings: {@code --name=value} (or {@code --name value}) on the command line, else the
 * environment variable {@code BENCH_NAME} (upper case, '-' as '_'), else the default.
 */
final class Options extends CliOptions {
  static final String USAGE =
      """
      usage: run.sh [--name=value ...]   (each also as env BENCH_<NAME>, e.g. BENCH_N=5000)
        --systems=both            both | orchestrator | db-scheduler
        --n=20000                 burst size (commands)
        --clients=8               concurrent submitters in the burst
        --batch=1                 orchestrator burst: commands per request (a JSON array, at most
                                  1000); 1 = one command per request
        --warmup=8000             unmeasured burst before the measured one, per system (0: none);
                                  the node JIT-compiles for ~8,000 commands (see README)
        --rate=200                paced run: commands per second (open loop)
        --seconds=30              paced run: duration
        --jar=PATH                orchestrator fat jar (run.sh passes cluster-config/target/orchestrator.jar)
        --node-java-opts=-Xmx1g   JVM options of the orchestrator node
        --http-client=jdk         jdk: java.net.http.HttpClient | raw: a minimal HTTP/1.1 socket client
                                  (5-10x less CPU per request: the generator shares the 2 cores)
        --ds-tunings=8:0.5:4,16:0.5:4,16:0.5:1,32:0.5:1
                                  db-scheduler tunings threads:lower:upper (lock-and-fetch limits as
                                  fractions of threads); each gets a burst, the best one counts and
                                  runs the paced phase
        --ds-poll-ms=100          db-scheduler polling interval
        --pid-prefix=Command|     journal persistence_id = prefix + command id
        --settle-max-s=60         max wait for the machine to go idle between phases
        --complete-timeout-s=300  max wait for a phase's commands to finish
        --max-minutes=45          hard deadline for the whole run (then everything is stopped)
        --out=DIR                 where logs and results-*.json go (default bench/commands/target/results)
      """;

  static Options parse(String[] args) {
    Options o = new Options();
    o.read(args, USAGE);
    return o;
  }

  // ---- typed accessors -------------------------------------------------------------------

  String systems() {
    String s = str("systems", "both");
    if (!s.equals("both") && !s.equals("orchestrator") && !s.equals("db-scheduler")) {
      throw new IllegalArgumentException("--systems must be both, orchestrator or db-scheduler");
    }
    return s;
  }

  boolean runOrchestrator() {
    return !systems().equals("db-scheduler");
  }

  boolean runDbScheduler() {
    return !systems().equals("orchestrator");
  }

  int n() {
    return integer("n", 20_000, 1);
  }

  int clients() {
    return integer("clients", 8, 1);
  }

  int batch() {
    return integer("batch", 1, 1);
  }

  int warmup() {
    return integer("warmup", 8_000, 0);
  }

  int rate() {
    return integer("rate", 200, 1);
  }

  int seconds() {
    return integer("seconds", 30, 1);
  }

  Path jar() {
    return Path.of(str("jar", "../../cluster-config/target/orchestrator.jar")).toAbsolutePath();
  }

  String httpClient() {
    String v = str("http-client", "jdk");
    if (!v.equals("jdk") && !v.equals("raw")) {
      throw new IllegalArgumentException("--http-client must be jdk or raw");
    }
    return v;
  }

  String nodeJavaOpts() {
    return str("node-java-opts", "-Xmx1g");
  }

  /** A db-scheduler tuning: executor threads and lock-and-fetch limits. */
  record Tuning(int threads, double lower, double upper) {
    @Override
    public String toString() {
      return threads + ":" + lower + ":" + upper;
    }
  }

  java.util.List<Tuning> dsTunings() {
    String v = str("ds-tunings", "8:0.5:4,16:0.5:4,16:0.5:1,32:0.5:1");
    java.util.List<Tuning> out = new java.util.ArrayList<>();
    for (String part : v.split(",")) {
      String[] f = part.trim().split(":");
      try {
        if (f.length != 3) {
          throw new NumberFormatException();
        }
        Tuning t = new Tuning(Integer.parseInt(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2]));
        if (t.threads() < 1 || t.lower() <= 0 || t.lower() >= t.upper() || t.upper() < 1) {
          throw new NumberFormatException();
        }
        out.add(t);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--ds-tunings: each entry is threads:lower:upper with threads >= 1, 0 < lower < upper, upper >= 1; got " + part);
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("--ds-tunings is empty");
    }
    return out;
  }

  int dsPollMs() {
    return integer("ds-poll-ms", 100, 1);
  }

  String pidPrefix() {
    return str("pid-prefix", "Command|");
  }

  int settleMaxSeconds() {
    return integer("settle-max-s", 60, 0);
  }

  int completeTimeoutSeconds() {
    return integer("complete-timeout-s", 300, 1);
  }

  int maxMinutes() {
    return integer("max-minutes", 45, 1);
  }

  Path out() {
    return Path.of(str("out", "target/results")).toAbsolutePath();
  }
}
