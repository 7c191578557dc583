package dev.orchestrator.bench.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * bench/commands: durable {@code noop} commands through the orchestrator (HTTP → sharded
 * event-sourced entity → PostgreSQL journal) against db-scheduler 16.x on the same PostgreSQL, in
 * one run. See README.md beside the pom.
 */
public final class Main {
  private static final double QUIET = 0.15;

  private final Options options;
  private final List<String> facts = new ArrayList<>();
  private final Map<String, Object> json = new LinkedHashMap<>();
  private Database db;
  private OrchestratorNode node;
  private DbSchedulerBench dbScheduler;
  private final AtomicBoolean cleaned = new AtomicBoolean();
  private ChildPids pids;

  private Main(Options options) {
    this.options = options;
  }

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
      options.systems(); // validate early
      options.n();
      options.rate();
      options.httpClient();
      options.dsTunings();
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Main main = new Main(options);
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
    String runId = "bench-" + stamp;
    Path out = options.out();
    Files.createDirectories(out);
    pids = ChildPids.in(out);

    int n = options.n();
    int clients = options.clients();
    int warmup = options.warmup();
    int rate = options.rate();
    int seconds = options.seconds();
    long completeTimeoutMs = TimeUnit.SECONDS.toMillis(options.completeTimeoutSeconds());

    String javaLine = Machine.javaVersionLine(Machine.java());
    facts.add(String.format(Locale.ROOT, "machine: nproc=%d (%s), %s RAM", Machine.nproc(), Machine.cpuModel(), Machine.memTotal()));
    facts.add("java: " + javaLine + " (" + System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version") + ")");
    System.out.println("== bench/commands " + runId + " ==");
    facts.forEach(System.out::println);
    System.out.printf(Locale.ROOT,
        "run: burst N=%d from %d concurrent clients (orchestrator: %s; after %d unmeasured warm-up), paced %d/s for %d s, open loop%n",
        n, clients, options.batch() == 1 ? "one command per request" : options.batch() + " commands per request", warmup, rate, seconds);
    facts.add(options.batch() == 1
        ? "orchestrator burst: one command per request"
        : "orchestrator burst: batches of " + options.batch() + " commands per request (a JSON array)");

    System.out.println("starting embedded PostgreSQL ...");
    db = Database.start();
    db.postmasterPid().ifPresent(pid -> pids.add("postgres", pid, db.dataDir().toString()));
    String dbLine = "database: " + db.describe();
    facts.add(dbLine);
    System.out.println(dbLine);

    json.put("run_id", runId);
    json.put("facts", facts);
    Map<String, Object> cfg = new LinkedHashMap<>();
    cfg.put("n", n);
    cfg.put("clients", clients);
    cfg.put("warmup", warmup);
    cfg.put("rate", rate);
    cfg.put("seconds", seconds);
    json.put("config", cfg);

    Results ds = null;
    Results orch = null;
    // db-scheduler first: it runs inside this JVM and needs no node; the orchestrator node is
    // started only afterwards so that neither system's background work lands on the other's run.
    if (options.runDbScheduler()) {
      ds = runDbScheduler(n, clients, warmup, rate, seconds, completeTimeoutMs);
      json.put("db_scheduler", ds.toMap());
    }
    if (options.runOrchestrator()) {
      if (ds != null) {
        System.out.println("  settle: " + Machine.settle(options.settleMaxSeconds(), QUIET));
      }
      orch = runOrchestrator(runId, n, clients, warmup, rate, seconds, completeTimeoutMs);
      json.put("orchestrator", orch.toMap());
    }

    Report.print(facts, orch, ds, n, clients, rate, seconds);
    Path results = out.resolve("results-" + stamp + ".json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(results.toFile(), json);
    System.out.println("results: " + results);
    boolean failed = (orch != null && orch.failure != null) || (ds != null && ds.failure != null);
    return failed ? 1 : 0;
  }

  private Results runDbScheduler(int n, int clients, int warmup, int rate, int seconds, long timeoutMs) {
    Results r = new Results("db-scheduler 16.12.0");
    System.out.println("-- db-scheduler --");
    List<Options.Tuning> tunings = options.dsTunings();
    try {
      // Each tuning gets a scheduler of its own (same table) and a measured burst; the best
      // throughput is db-scheduler's figure, and that tuning runs the paced phase.
      Options.Tuning best = null;
      List<String> tried = new ArrayList<>();
      boolean warmed = false;
      for (Options.Tuning t : tunings) {
        dbScheduler = newDbScheduler(t, clients, timeoutMs);
        System.out.println("  tuning " + dbScheduler.describe);
        if (warmup > 0 && !warmed) {
          Results.Burst w = dbScheduler.burst("warmup", warmup, clients);
          System.out.printf(Locale.ROOT, "  warm-up: %s/s (not counted)%n", Report.rate(w.throughput()));
          warmed = true;
        }
        String before = prepare();
        Machine.Cpu c0 = Machine.Cpu.now();
        Results.Burst b = dbScheduler.burst("burst", n, clients);
        b.cpu = Machine.Cpu.now().since(c0) + " (db-scheduler runs in the bench JVM)";
        System.out.printf(Locale.ROOT, "  burst: %s executions/s%n", Report.rate(b.throughput()));
        tried.add(String.format(Locale.ROOT, "%s -> %s/s", t, Report.rate(b.throughput())));
        if (r.burst == null || better(b.throughput(), r.burst.throughput())) {
          r.burst = b;
          best = t;
          r.config.put("before_burst", before);
        }
        dbScheduler.close();
        dbScheduler = null;
      }
      r.config.put("tunings tried (threads:lower:upper -> burst)", String.join(", ", tried));
      dbScheduler = newDbScheduler(best, clients, timeoutMs);
      r.config.put("best tuning (its burst counts; runs the paced phase)", dbScheduler.describe);
      r.config.put("before_paced", prepare());
      r.paced = dbScheduler.paced(rate, seconds);
      System.out.println("  paced: submit->start " + r.paced.submitToStart.describe());
    } catch (Exception e) {
      r.failure = e.toString();
      System.out.println("  db-scheduler part failed: " + e);
      e.printStackTrace(System.out);
    } finally {
      if (dbScheduler != null) {
        dbScheduler.close();
        dbScheduler = null;
      }
    }
    return r;
  }

  private static boolean better(double a, double b) {
    return !Double.isNaN(a) && (Double.isNaN(b) || a > b);
  }

  private DbSchedulerBench newDbScheduler(Options.Tuning t, int clients, long timeoutMs) throws Exception {
    return new DbSchedulerBench(
        db, t.threads(), options.dsPollMs(), t.lower(), t.upper(), clients, timeoutMs);
  }

  private Results runOrchestrator(
      String runId, int n, int clients, int warmup, int rate, int seconds, long timeoutMs) {
    Results r = new Results("orchestrator");
    System.out.println("-- orchestrator --");
    Path jar = options.jar();
    r.config.put("jar", jar.toString());
    r.config.put("node_java_opts", options.nodeJavaOpts());
    r.config.put("http_client", options.httpClient().equals("raw")
        ? "raw: RawHttp, blocking HTTP/1.1 keep-alive socket per client"
        : "jdk: java.net.http.HttpClient, HTTP/1.1 keep-alive, one per client");
    r.config.put("mode", "cluster, 1 node, ORCH_DB_URL on the same embedded PostgreSQL");
    try (Journal journal = new Journal(db, options.pidPrefix())) {
      System.out.println("  starting the node: java " + options.nodeJavaOpts() + " -jar " + jar);
      long t0 = System.nanoTime();
      node = OrchestratorNode.start(jar, options.nodeJavaOpts(), db, options.out());
      pids.add("node", node.pid(), jar.toString());
      node.awaitReady(Duration.ofSeconds(180));
      System.out.printf(Locale.ROOT, "  node ready in %.1f s (log %s)%n", (System.nanoTime() - t0) / 1e9, node.log());
      OrchestratorBench bench =
          new OrchestratorBench(
              node.baseUri(), node.token(), journal, node::alive, timeoutMs, runId, options.httpClient());
      String probe = bench.probe();
      if (probe != null) {
        throw new IllegalStateException("POST /api/v1/commands does not accept a noop command: " + probe);
      }
      if (warmup > 0) {
        Results.Burst w = bench.burst("warmup", warmup, clients, options.batch());
        System.out.printf(Locale.ROOT, "  warm-up: %s/s (not counted)%n", Report.rate(w.throughput()));
      }
      r.config.put("before_burst", prepare());
      Machine.Cpu c0 = Machine.Cpu.now();
      long[] split0 = cpuSplit();
      r.burst = bench.burst("burst", n, clients, options.batch());
      Machine.Cpu c1 = Machine.Cpu.now();
      r.burst.cpu =
          c1.since(c0)
              + String.format(
                  Locale.ROOT,
                  " = %.0f us per submit (the bench JVM is the HTTP load generator, --http-client=%s)",
                  c1.selfSecondsSince(c0) * 1e6 / n,
                  options.httpClient())
              + perCommand(split0, cpuSplit(), n);
      r.burst.generatorUsPerSubmit = c1.selfSecondsSince(c0) * 1e6 / n;
      r.burst.httpClient = options.httpClient();
      System.out.printf(Locale.ROOT, "  burst: %s commands/s%n", Report.rate(r.burst.throughput()));
      r.config.put("before_paced", prepare());
      long[] paced0 = cpuSplit();
      r.paced = bench.paced(rate, seconds);
      r.paced.cpu = perCommand(paced0, cpuSplit(), rate * seconds).replaceFirst("^; ", "");
      System.out.println("  paced: submit->start " + r.paced.submitToStart.describe());
    } catch (Exception e) {
      r.failure = e.getMessage() == null ? e.toString() : e.getMessage();
      System.out.println("  orchestrator part failed: " + e);
      if (node != null) {
        System.out.println("  node log tail:\n" + node.tail(30));
      }
    } finally {
      if (node != null) {
        node.close();
        node = null;
      }
    }
    return r;
  }

  /** CPU so far of the node and of PostgreSQL (postmaster and backends), nanoseconds; -1 unknown. */
  private long[] cpuSplit() {
    long pg = db.postmasterPid().isPresent() ? NodeProcess.treeCpuNanos(db.postmasterPid().getAsLong()) : -1;
    return new long[] {node == null ? -1 : new NodeProcess(node.pid()).cpuNanos(), pg};
  }

  /**
   * "; node x ms, PostgreSQL y ms of CPU per command": what each side spent from the first submit
   * until the phase's last command was done (their own background work included; others' not).
   */
  private static String perCommand(long[] before, long[] after, int commands) {
    if (before[0] < 0 || after[0] < 0 || before[1] < 0 || after[1] < 0 || commands <= 0) {
      return "";
    }
    return String.format(
        Locale.ROOT,
        "; node %.2f ms and PostgreSQL %.2f ms of CPU per command",
        (after[0] - before[0]) / 1e6 / commands,
        (after[1] - before[1]) / 1e6 / commands);
  }

  /**
   * Between phases: let the machine go quiet, then a checkpoint, then quiet again. Returns how
   * quiet it was, recorded with the phase (others' work on a shared machine skews the figures).
   */
  private String prepare() {
    System.out.println("  settle: " + Machine.settle(options.settleMaxSeconds(), QUIET));
    db.checkpoint();
    String s = Machine.settle(Math.min(10, options.settleMaxSeconds()), QUIET);
    System.out.println("  before the phase: " + s);
    return s;
  }

  private void cleanup() {
    if (!cleaned.compareAndSet(false, true)) {
      return;
    }
    if (dbScheduler != null) {
      dbScheduler.close();
    }
    if (node != null) {
      node.close();
    }
    if (db != null) {
      db.close();
    }
    if (pids != null) {
      pids.clear();
    }
  }
}
