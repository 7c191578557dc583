package dev.orchestrator.bench.failover;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orchestrator.bench.commands.Api;
import dev.orchestrator.bench.commands.ChildPids;
import dev.orchestrator.bench.commands.Machine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * bench/failover: kill -9 of the singleton's node under a continuous command load, then its
 * restart, for a number of rounds; recovery times, lost and duplicated commands. With {@code
 * --scenario=partition}, network partitions instead ({@link PartitionRun}). See
 * bench/failover/README.md.
 */
public final class Main {
  private final Options options;
  private final String[] args;
  private final AtomicBoolean cleaned = new AtomicBoolean();
  private LocalCluster cluster;
  private Load load;
  private ChildPids pids;
  private PartitionRun partition;

  private Main(Options options, String[] args) {
    this.options = options;
    this.args = args;
  }

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
      options.rate();
      options.giveUpMs();
      options.recoveryTimeoutMs();
      options.nodes();
      options.rounds();
      options.running();
      options.otherRounds();
      options.netnsPrefix();
      options.netnsSubnet();
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Main main = new Main(options, args);
    Runtime.getRuntime().addShutdownHook(new Thread(main::cleanup, "bench-cleanup"));
    ChildPids.watchdog(options.maxMinutes());
    int code;
    try {
      code = main.run();
    } catch (Throwable t) {
      System.err.println("bench failed: " + t);
      t.printStackTrace();
      code = 1;
    } finally {
      main.cleanup();
    }
    System.exit(code);
  }

  private int run() throws Exception {
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    pids = ChildPids.in(options.out());
    Path out = options.out().resolve("run-" + stamp);
    Files.createDirectories(out);
    List<String> facts = new ArrayList<>();
    facts.add("command: bench/failover/run.sh " + String.join(" ", userArgs()));
    facts.add(String.format(Locale.ROOT, "machine: %d cores (%s), %s RAM, %s at start",
        Machine.nproc(), Machine.cpuModel(), Machine.memTotal(), Machine.loadAverage()));
    facts.add("java: " + Machine.javaVersionLine(Machine.java()));
    System.out.println("== bench/failover " + stamp + " ==");
    facts.forEach(System.out::println);
    if (options.partition()) {
      partition = new PartitionRun(options, facts, out, pids);
      return partition.run(stamp);
    }

    cluster = new LocalCluster(options.jar(), options.nodeJavaOpts(), options.nodes(), out, pids);
    cluster.startPostgres();
    facts.add("database: " + describeDb(cluster));
    facts.add("nodes: " + options.nodes() + " x java " + options.nodeJavaOpts()
        + " -jar orchestrator.jar, ORCH_MODE=cluster, all roles, every node a seed, the jar's"
        + " own cluster settings (mode-cluster.conf)");
    System.out.println(facts.get(facts.size() - 2));
    System.out.println(facts.get(facts.size() - 1));
    long t0 = System.nanoTime();
    for (int i = 0; i < cluster.size(); i++) {
      cluster.startNode(i, false);
    }
    for (int i = 0; i < cluster.size(); i++) {
      cluster.awaitReady(i);
    }
    System.out.printf(Locale.ROOT, "cluster ready in %.1f s (logs in %s)%n",
        (System.nanoTime() - t0) / 1e9, out);

    load = new Load(cluster, stamp, options.rate(), options.giveUpMs());
    load.start();
    System.out.printf(Locale.ROOT, "load: %.0f noop commands/s; warm-up %d s%n",
        options.rate(), options.warmupS());
    Thread.sleep(options.warmupS() * 1000L);

    List<Round> rounds = new ArrayList<>();
    List<Long> reruns = new ArrayList<>();
    for (int n = 1; n <= options.rounds(); n++) {
      Rerun running =
          options.running() > 0
              ? Rerun.start(cluster, stamp, n, options.running(), options.recoveryTimeoutMs())
              : null;
      Round r = Round.run(n, cluster, options.recoveryTimeoutMs());
      rounds.add(r);
      String rerun = "";
      if (running != null) {
        List<Long> delays =
            running.rerunAfterKill(r.victim, r.killEpochMs, options.recoveryTimeoutMs());
        running.cancelAll();
        reruns.addAll(delays);
        rerun = String.format(Locale.ROOT, "; %d of its running commands ran again after %s",
            delays.size(), delays.stream().map(d -> d < 0 ? "never" : d / 1000.0 + " s")
                .collect(java.util.stream.Collectors.joining(", ")));
      }
      System.out.printf(Locale.ROOT,
          "round %2d: killed node %d, singleton answered on %s after %.2f s (asked at the kill:"
              + " %.2f s); node back Up %.1f s after its restart%s%n",
          n, r.victim, r.newHost, r.recoveryMs() / 1000, r.retryMs() / 1000,
          (r.upNanos - r.restartNanos) / 1e9, rerun);
      Thread.sleep(options.settleS() * 1000L);
    }
    load.stopSubmitting();
    System.out.println("load stopped; waiting for the submits under way ...");
    load.awaitSettled();
    List<Load.Submit> submits = load.snapshot();
    List<String> ids = submits.stream().filter(Load.Submit::acked).map(s -> s.id).toList();
    long refused = submits.stream().filter(s -> !s.acked()).count();
    System.out.println("checking " + ids.size() + " acknowledged commands ...");
    Verify v = Verify.of(ids, cluster.host(0), cluster.httpPort(0), cluster.token());

    List<Map<String, Object>> perRound = new ArrayList<>();
    System.out.println();
    System.out.println("== per round ==");
    System.out.println("round  killed  singleton answered  asked at kill  first ack after kill"
        + "  longest submit->ack  restart->Up  submitted  not acked");
    for (Round r : rounds) {
      Map<String, Object> f = r.figures(submits);
      perRound.add(f);
      System.out.printf(Locale.ROOT,
          "%5d  %6d  %16.2f s  %11.2f s  %18s  %17.2f s  %9.1f s  %9d  %9d%n",
          r.number, r.victim, r.recoveryMs() / 1000, r.retryMs() / 1000,
          f.get("firstAckAfterKillMs") == null ? "-" : f.get("firstAckAfterKillMs") + " ms",
          ((Number) f.get("longestSubmitToAckMs")).doubleValue() / 1000,
          ((Number) f.get("restartToUpMs")).doubleValue() / 1000,
          f.get("submitted"), f.get("notAcknowledged"));
    }
    double[] rec = rounds.stream().mapToDouble(Round::recoveryMs).sorted().toArray();
    String recovery = String.format(Locale.ROOT,
        "kill -9 -> singleton answering on a survivor: min %.2f s, median %.2f s, max %.2f s"
            + " (%d rounds)", rec[0] / 1000, median(rec) / 1000, rec[rec.length - 1] / 1000,
        rec.length);
    double[] asked = rounds.stream().mapToDouble(Round::retryMs).sorted().toArray();
    String askedAtKill = String.format(Locale.ROOT,
        "a client asking at the kill, one request at a time (gateway ask timeout 5 s): answered"
            + " after min %.2f s, median %.2f s, max %.2f s", asked[0] / 1000,
        median(asked) / 1000, asked[asked.length - 1] / 1000);
    double[] rerunMs =
        reruns.stream().filter(d -> d >= 0).mapToDouble(Long::doubleValue).sorted().toArray();
    String rerun = rerunMs.length == 0
        ? "kill -9 -> a command that ran on the killed node running again: none measured"
            + " (--running=" + options.running() + ")"
        : String.format(Locale.ROOT,
            "kill -9 -> a command that ran on the killed node running again elsewhere (its second"
                + " attempt's AttemptStarted written): min %.2f s, median %.2f s, max %.2f s"
                + " (%d commands, %d rounds); never ran again: %d",
            rerunMs[0] / 1000, median(rerunMs) / 1000, rerunMs[rerunMs.length - 1] / 1000,
            rerunMs.length, rounds.size(), reruns.stream().filter(d -> d < 0).count());
    String commands = String.format(Locale.ROOT,
        "commands: %d submitted, %d acknowledged (202), %d never acknowledged within %d s;"
            + " of the acknowledged: %d SUCCEEDED, lost %d (unknown %d, ended otherwise %d,"
            + " unfinished %d), duplicates (attempts > 1) %d",
        submits.size(), ids.size(), refused, options.giveUpMs() / 1000, v.succeeded, v.lost(),
        v.unknown, v.endedOtherwise, v.unfinished, v.duplicates)
        + unacknowledged(submits, rounds).stream().map(line -> "\n    " + line)
            .collect(java.util.stream.Collectors.joining());
    System.out.println();
    System.out.println("== summary ==");
    facts.forEach(f -> System.out.println("  " + f));
    System.out.println("  " + recovery);
    System.out.println("  " + askedAtKill);
    System.out.println("  " + rerun);
    System.out.println("  " + commands);
    v.examples.forEach(e -> System.out.println("    e.g. " + e));
    System.out.println("  machine at the end: " + Machine.loadAverage());

    Map<String, Object> json = new LinkedHashMap<>();
    json.put("facts", facts);
    json.put("rounds", perRound);
    json.put("recoveryMs", Arrays.stream(rec).map(Math::round).toArray());
    json.put("rerunAfterKillMs", reruns);
    json.put("summary", List.of(recovery, askedAtKill, rerun, commands));
    Path results = options.out().resolve("results-" + stamp + ".json");
    Api.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(results.toFile(), json);
    System.out.println("results: " + results);
    return v.lost() == 0 && reruns.stream().noneMatch(d -> d < 0) ? 0 : 4;
  }

  /** Submits never acknowledged that share the round they were sent in and their last error. */
  private record Unacknowledged(Round after, String error) {}

  /**
   * The submits never acknowledged, grouped by the round whose kill came last before they were sent
   * (none: before the first kill) and their last error, so that a figure above 0 says when and why.
   */
  static List<String> unacknowledged(List<Load.Submit> submits, List<Round> rounds) {
    Map<Unacknowledged, List<Long>> groups = new LinkedHashMap<>();
    for (Load.Submit s : submits) {
      if (!s.acked()) {
        Round after = null;
        for (Round r : rounds) {
          if (r.killNanos <= s.sentNanos) {
            after = r;
          }
        }
        groups
            .computeIfAbsent(new Unacknowledged(after, s.lastError), k -> new ArrayList<>())
            .add(s.sentNanos);
      }
    }
    List<String> lines = new ArrayList<>();
    groups.forEach(
        (key, sent) -> {
          Round r = key.after();
          java.util.LongSummaryStatistics at =
              sent.stream().mapToLong(Long::longValue).summaryStatistics();
          String when =
              r == null
                  ? "before the first kill"
                  : String.format(
                      Locale.ROOT,
                      "round %d, sent %.1f-%.1f s after the kill (node back Up at %.1f s)",
                      r.number,
                      (at.getMin() - r.killNanos) / 1e9,
                      (at.getMax() - r.killNanos) / 1e9,
                      (r.upNanos - r.killNanos) / 1e9);
          lines.add(
              String.format(
                  Locale.ROOT,
                  "never acknowledged: %d in %s; last error: %s",
                  sent.size(),
                  when,
                  key.error()));
        });
    return lines;
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  static String describeDb(LocalCluster cluster) {
    try (Connection c = DriverManager.getConnection(cluster.jdbcUrl(), "postgres", "");
        Statement s = c.createStatement()) {
      return "PostgreSQL " + one(s, "SHOW server_version")
          + " (orchestrator.jar postgres, same machine), fsync=" + one(s, "SHOW fsync")
          + ", synchronous_commit=" + one(s, "SHOW synchronous_commit");
    } catch (Exception e) {
      return "PostgreSQL (could not describe: " + e.getMessage() + ")";
    }
  }

  private static String one(Statement s, String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private List<String> userArgs() {
    return Arrays.stream(args)
        .filter(a -> !a.startsWith("--jar=") && !a.startsWith("--out=")
            && !a.startsWith("--netns-script="))
        .toList();
  }

  private void cleanup() {
    if (!cleaned.compareAndSet(false, true)) {
      return;
    }
    if (load != null) {
      load.close();
    }
    if (partition != null) {
      partition.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (pids != null) {
      pids.clear();
    }
  }
}
