package dev.orchestrator.bench.components;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orchestrator.bench.commands.Api;
import dev.orchestrator.bench.commands.ChildPids;
import dev.orchestrator.bench.commands.Database;
import dev.orchestrator.bench.commands.Machine;
import dev.orchestrator.bench.commands.NodeProcess;
import dev.orchestrator.bench.commands.OrchestratorNode;
import dev.orchestrator.bench.commands.Parallel;
import dev.orchestrator.bench.commands.RawHttp;
import dev.orchestrator.bench.commands.Stats;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * bench/components: components through the orchestrator on one node (HTTP gateway → sharded
 * event-sourced ComponentEntity → simulated driver, journal on PostgreSQL): (a) registrations,
 * (b) lifecycle round trips, (c) many components polled every second. See
 * bench/components/README.md.
 */
public final class Main {
  private final Options options;
  private final List<String> facts = new ArrayList<>();
  private final List<String> summary = new ArrayList<>();
  private final Map<String, Object> json = new LinkedHashMap<>();
  private final AtomicBoolean cleaned = new AtomicBoolean();
  private Database db;
  private OrchestratorNode node;
  private ChildPids pids;
  private int port;
  private String token;

  private Main(Options options) {
    this.options = options;
  }

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
      options.clients();
      options.components();
      options.seconds();
      options.lcPollMs();
      options.pollMs();
      options.transitionMs();
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
      if (main.node != null) {
        System.err.println("node log tail:\n" + main.node.tail(30));
      }
      code = 1;
    } finally {
      main.cleanup();
    }
    System.exit(code);
  }

  private int run() throws Exception {
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path out = options.out();
    Files.createDirectories(out);
    pids = ChildPids.in(out);

    facts.add(String.format(Locale.ROOT, "machine: nproc=%d (%s), %s RAM, %s at start",
        Machine.nproc(), Machine.cpuModel(), Machine.memTotal(), Machine.loadAverage()));
    facts.add("java: " + Machine.javaVersionLine(Machine.java()));
    System.out.println("== bench/components " + stamp + " ==");
    facts.forEach(System.out::println);

    System.out.println("starting embedded PostgreSQL ...");
    db = Database.start();
    db.postmasterPid().ifPresent(pid -> pids.add("postgres", pid, db.dataDir().toString()));
    facts.add("database: " + db.describe());
    System.out.println(facts.get(facts.size() - 1));

    String nodeOpts = options.nodeJavaOpts()
        + " -Dorchestrator.components.simulated.transition-time=" + options.transitionMs() + "ms";
    facts.add("node: java " + nodeOpts + " -jar " + options.jar()
        + " (ORCH_MODE=cluster, one node, embedded PostgreSQL above)");
    System.out.println(facts.get(facts.size() - 1));
    long t0 = System.nanoTime();
    node = OrchestratorNode.start(options.jar(), nodeOpts, db, out);
    pids.add("node", node.pid(), options.jar().toString());
    node.awaitReady(Duration.ofSeconds(180));
    System.out.printf(Locale.ROOT, "node ready in %.1f s (pid %d, log %s)%n",
        (System.nanoTime() - t0) / 1e9, node.pid(), node.log());
    port = node.baseUri().getPort();
    token = node.token();
    json.put("facts", facts);

    List<String> scratch = new ArrayList<>();
    if (options.phase('a')) {
      phaseA(scratch);
    }
    if (options.phase('b')) {
      phaseB(scratch);
    }
    if (options.phase('c')) {
      if (!scratch.isEmpty()) {
        long d0 = System.nanoTime();
        int[] codes = Parallel.run(port, token, scratch.size(), options.clients(), (api, i) -> api.delete("/api/v1/components/" + scratch.get(i)).status(), null);
        System.out.printf(Locale.ROOT, "deregistered the %d components of phases a/b in %.1f s (%d not 204)%n",
            scratch.size(), (System.nanoTime() - d0) / 1e9, Parallel.countNot(codes, 204));
      }
      phaseC();
    }

    System.out.println();
    System.out.println("== summary ==");
    facts.forEach(f -> System.out.println("  " + f));
    summary.forEach(s -> System.out.println("  " + s));
    System.out.println("  machine at the end: " + Machine.loadAverage());
    json.put("summary", summary);
    Path results = out.resolve("results-" + stamp + ".json");
    Api.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(results.toFile(), json);
    System.out.println("results: " + results + "; node log: " + node.log());
    return 0;
  }

  // ---- (a) registrations -------------------------------------------------------------------

  private void phaseA(List<String> scratch) throws Exception {
    System.out.println();
    System.out.println("-- (a) registrations: PUT /api/v1/components/{id} {driver: simulated}, RawHttp keep-alive --");
    int n = options.regN();
    int clients = options.clients();
    if (options.regWarmup() > 0) {
      Result w = register("reg-warm-", options.regWarmup(), clients, null, scratch);
      System.out.printf(Locale.ROOT, "  cold (first %d after start, %d clients, not counted): %.0f ms total, %s%n",
          options.regWarmup(), clients, w.totalMs, w.latency.describe());
      summary.add(String.format(Locale.ROOT, "(a) cold: first %d registrations after start, %d clients: %.0f ms", options.regWarmup(), clients, w.totalMs));
    }
    Map<String, Object> a = new LinkedHashMap<>();
    for (int mode = 0; mode < 2; mode++) {
      int c = mode == 0 ? 1 : clients;
      List<Double> totals = new ArrayList<>();
      double[] all = new double[n * options.regRounds()];
      int k = 0;
      int errors = 0;
      for (int r = 0; r < options.regRounds(); r++) {
        Result res = register("reg-" + c + "c-r" + r + "-", n, c, null, scratch);
        totals.add(res.totalMs);
        System.arraycopy(res.values, 0, all, k, res.values.length);
        k += res.values.length;
        errors += res.errors;
        System.out.printf(Locale.ROOT, "  %d %s, round %d: %d PUTs in %.0f ms (%.0f/s), %s%n",
            c, c == 1 ? "client (sequential)" : "clients", r + 1, n, res.totalMs, n * 1000 / res.totalMs, res.latency.describe());
      }
      Stats s = Stats.of(all, k);
      String line = String.format(Locale.ROOT,
          "(a) %d PUTs from %d client%s: total %s ms per round (%d rounds), per request %s%s",
          n, c, c == 1 ? " (sequential)" : "s", joinMs(totals), options.regRounds(), s.describe(),
          errors == 0 ? "" : ", " + errors + " NOT 200");
      summary.add(line);
      a.put(c + "_clients", Map.of("round_totals_ms", totals, "per_request", s.toMap(), "errors", errors));
    }
    json.put("registrations", a);
  }

  private record Result(double totalMs, double[] values, Stats latency, int errors) {}

  /** Registers {@code n} simulated components from {@code clients} threads, timing each PUT. */
  private Result register(String prefix, int n, int clients, IntFunction<String> body, List<String> ids)
      throws Exception {
    double[] lat = new double[n];
    long start = System.nanoTime();
    int[] codes =
        Parallel.run(port, token,
            n,
            clients,
            (api, i) ->
                api.put("/api/v1/components/" + prefix + i,
                        body == null ? Api.componentBody("bench-reg", null, null) : body.apply(i))
                    .status(),
            lat);
    double total = (System.nanoTime() - start) / 1e6;
    for (int i = 0; i < n; i++) {
      ids.add(prefix + i);
    }
    return new Result(total, lat, Stats.of(lat, n), Parallel.countNot(codes, 200));
  }

  // ---- (b) lifecycle round trip ------------------------------------------------------------

  private void phaseB(List<String> scratch) throws Exception {
    System.out.println();
    int n = options.lcN();
    int layers = Math.min(options.lcLayers(), n);
    long tt = options.transitionMs();
    String poll = Options.ms(options.lcPollMs());
    System.out.printf(Locale.ROOT,
        "-- (b) lifecycle round trip: %d simulated components in group bench-lc, pollInterval %s, %d dependency layer(s), transition time %d ms --%n",
        n, poll, layers, tt);
    List<String> ids = new ArrayList<>();
    Result reg =
        register("lc-", n, options.clients(),
            i -> {
              int layer = i * layers / n;
              String dep = null;
              if (layer > 0) {
                int firstOfPrev = firstOfLayer(layer - 1, n, layers);
                int sizeOfPrev = firstOfLayer(layer, n, layers) - firstOfPrev;
                dep = "lc-" + (firstOfPrev + i % sizeOfPrev);
              }
              return Api.componentBody("bench-lc", poll, dep);
            },
            ids);
    scratch.addAll(ids);
    if (reg.errors > 0) {
      throw new IllegalStateException(reg.errors + " of the lifecycle components were not registered");
    }
    try (Api api = new Api(port, token)) {
      awaitStates(api, ids, "STOPPED", 60);
      // The planner reads the group from the read side (the components table, filled by a projection).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        int seen = api.getJson("/api/v1/components?group=bench-lc&limit=1000").path("items").size();
        if (seen >= n) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the read side lists " + seen + " of " + n + " components of group bench-lc after 60 s");
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
      }

      double[] perComp = new double[n * options.lcRuns()];
      double[] perSent = new double[n * options.lcRuns()];
      int k = 0;
      List<Double> runTotals = new ArrayList<>();
      List<Double> runAcks = new ArrayList<>();
      List<Double> coldTotals = new ArrayList<>();
      int failed = 0;
      GroupRunBreakdown breakdown = new GroupRunBreakdown(tt);
      int warm = options.lcWarmup();
      for (int r = -warm; r < options.lcRuns(); r++) {
        boolean measured = r >= 0;
        Instant sent = Instant.now();
        long s0 = System.nanoTime();
        RawHttp.Response resp =
            api.post("/api/v1/lifecycle",
                "{\"target\":\"group:bench-lc\",\"command\":\"CMD_INITIALIZED\",\"order\":\"dependencies\"}");
        double ackMs = (System.nanoTime() - s0) / 1e6;
        if (resp.status() != 202) {
          throw new IllegalStateException("POST /api/v1/lifecycle -> " + resp.status() + " " + resp.body());
        }
        String runId = Api.parse(resp.body()).path("id").asText();
        JsonNode report = awaitRun(api, runId, 120);
        Instant runEnd = Api.instant(report.path("finishedAt"));
        double runMs = Duration.between(sent, runEnd).toNanos() / 1e6;
        if (measured) {
          runTotals.add(runMs);
          runAcks.add(ackMs);
        } else {
          coldTotals.add(runMs);
        }
        int reached = 0;
        for (JsonNode step : report.path("steps")) {
          for (JsonNode o : step.path("components")) {
            if (!measured) {
              reached += "REACHED".equals(o.path("status").asText()) ? 1 : 0;
            } else if ("REACHED".equals(o.path("status").asText())) {
              perComp[k] = Duration.between(sent, Api.instant(o.path("finishedAt"))).toNanos() / 1e6;
              Instant sa = Api.instant(o.path("sentAt"));
              perSent[k] = sa == null ? Double.NaN : Duration.between(sent, sa).toNanos() / 1e6;
              k++;
              reached++;
            } else {
              failed++;
            }
          }
        }
        if (measured) {
          breakdown.add(api, sent, report, "INITIALIZED");
        }
        System.out.printf(Locale.ROOT, "  %s: %s, %d/%d REACHED, POST->run finishedAt %.0f ms (202 after %.1f ms)%n",
            measured ? "run " + (r + 1) : "warm-up run (not counted)", report.path("status").asText(), reached, n, runMs, ackMs);
        // Back to STOPPED, unmeasured.
        RawHttp.Response back =
            api.post("/api/v1/lifecycle",
                "{\"target\":\"group:bench-lc\",\"command\":\"CMD_STOPPED\",\"order\":\"reverse-dependencies\"}");
        if (back.status() != 202) {
          throw new IllegalStateException("POST /api/v1/lifecycle CMD_STOPPED -> " + back.status() + " " + back.body());
        }
        JsonNode backReport = awaitRun(api, Api.parse(back.body()).path("id").asText(), 120);
        if (!"SUCCEEDED".equals(backReport.path("status").asText())) {
          throw new IllegalStateException("the CMD_STOPPED run did not succeed: " + backReport);
        }
        awaitStates(api, ids, "STOPPED", 60);
        settle(api, n, Api.instant(backReport.path("finishedAt")));
      }
      Stats comp = Stats.of(perComp, k);
      Stats sentStats = Stats.of(clean(perSent, k), countFinite(perSent, k));
      Stats compNet = Stats.of(minus(perComp, k, tt), k);
      double[] rt = toArray(runTotals);
      Stats run = Stats.of(rt, rt.length);
      System.out.println("  POST -> component sentAt:     " + sentStats.describe());
      System.out.println("  POST -> component REACHED:    " + comp.describe());
      System.out.println("  ... minus the transition time: " + compNet.describe());
      System.out.println("  where it goes, per component:");
      breakdown.lines().forEach(line -> System.out.println("    " + line));
      if (!coldTotals.isEmpty()) {
        summary.add(String.format(Locale.ROOT,
            "(b) cold: the first %d group runs after start (not counted): POST -> run finishedAt %s ms",
            coldTotals.size(), joinMs(coldTotals)));
      }
      summary.add(String.format(Locale.ROOT,
          "(b) group run of %d (%d layer%s, pollInterval %s, transition %d ms), %d runs: POST -> each component REACHED %s; minus transition time %s; POST -> run finishedAt %s ms%s",
          n, layers, layers == 1 ? "" : "s", poll, tt, options.lcRuns(), comp.describe(), compNet.describe(), joinMs(runTotals),
          failed == 0 ? "" : "; " + failed + " outcomes NOT REACHED"));

      // Single component: POST .../lifecycle, then GET until the state is the target.
      String rtId = "rt-0";
      RawHttp.Response r0 = api.put("/api/v1/components/" + rtId, Api.componentBody("bench-rt", poll, null));
      if (r0.status() != 200) {
        throw new IllegalStateException("PUT " + rtId + " -> " + r0.status() + " " + r0.body());
      }
      scratch.add(rtId);
      awaitStates(api, List.of(rtId), "STOPPED", 60);
      int tries = options.rtTries();
      double[] rtv = new double[tries];
      double[] acks = new double[tries];
      int gets = 0;
      for (int i = 0; i < tries; i++) {
        boolean up = i % 2 == 0;
        String cmd = up ? "CMD_INITIALIZED" : "CMD_STOPPED";
        String target = up ? "INITIALIZED" : "STOPPED";
        // A random pause, so that the sends do not lock on to the entity's poll timer.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextLong(options.lcPollMs())));
        long s = System.nanoTime();
        RawHttp.Response p = api.post("/api/v1/components/" + rtId + "/lifecycle", "{\"command\":\"" + cmd + "\"}");
        acks[i] = (System.nanoTime() - s) / 1e6;
        if (p.status() != 202) {
          throw new IllegalStateException("POST lifecycle " + cmd + " -> " + p.status() + " " + p.body());
        }
        long rtDeadline = s + TimeUnit.SECONDS.toNanos(30);
        while (true) {
          JsonNode v = api.getJson("/api/v1/components/" + rtId);
          gets++;
          if (target.equals(v.path("state").asText())) {
            rtv[i] = (System.nanoTime() - s) / 1e6;
            break;
          }
          if (System.nanoTime() > rtDeadline) {
            throw new IllegalStateException(rtId + " did not reach " + target + " in 30 s: " + v);
          }
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
      }
      Stats single = Stats.of(rtv, tries);
      Stats singleNet = Stats.of(minus(rtv, tries, tt), tries);
      Stats ack = Stats.of(acks, tries);
      System.out.println("  single component, POST .../lifecycle -> 202: " + ack.describe());
      System.out.println("  single component, POST -> GET shows the state: " + single.describe() + " (" + gets + " GETs, one each 2 ms)");
      System.out.println("  ... minus the transition time:                 " + singleNet.describe());
      summary.add(String.format(Locale.ROOT,
          "(b) single component, %d tries (CMD_INITIALIZED / CMD_STOPPED alternately): POST -> GET shows the new state %s; minus transition time %s; the POST's 202 alone %s",
          tries, single.describe(), singleNet.describe(), ack.describe()));
      Map<String, Object> b = new LinkedHashMap<>();
      b.put("group_post_to_reached", comp.toMap());
      b.put("group_post_to_reached_minus_transition", compNet.toMap());
      b.put("group_post_to_sent", sentStats.toMap());
      b.put("group_post_to_run_finished_ms", runTotals);
      b.put("group_breakdown", breakdown.toMap());
      b.put("group_post_ack_ms", runAcks);
      b.put("single_round_trip", single.toMap());
      b.put("single_round_trip_minus_transition", singleNet.toMap());
      b.put("single_ack", ack.toMap());
      b.put("transition_ms", tt);
      json.put("lifecycle", b);
    }
  }

  private static int firstOfLayer(int layer, int n, int layers) {
    // component i is in layer i*layers/n: the first i with i*layers/n >= layer
    return (int) Math.ceil((double) layer * n / layers);
  }

  /**
   * Before the next measured run: the read side lists the group STOPPED again (its projection has
   * folded the last runs' events), and at least {@code --lc-pause} has passed since the stop run
   * ended, so that each run is measured on a node that is not still folding the run before it.
   */
  private void settle(Api api, int n, Instant lastRunEnd) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (api.getJson("/api/v1/components?group=bench-lc&state=STOPPED&limit=1000").path("items").size() < n) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the read side does not list the group STOPPED after 60 s");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    Instant resume = lastRunEnd.plusMillis(options.lcPauseMs());
    long wait = Duration.between(Instant.now(), resume).toNanos();
    if (wait > 0) {
      LockSupport.parkNanos(wait);
    }
  }

  private static JsonNode awaitRun(Api api, String runId, int seconds) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      JsonNode report = api.getJson("/api/v1/lifecycle/" + runId);
      if (!"RUNNING".equals(report.path("status").asText())) {
        return report;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("lifecycle run " + runId + " still RUNNING after " + seconds + " s: " + report);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
  }

  private static void awaitStates(Api api, List<String> ids, String state, int seconds) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    for (String id : ids) {
      while (true) {
        JsonNode v = api.getJson("/api/v1/components/" + id);
        if (state.equals(v.path("state").asText())) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(id + " not " + state + " after " + seconds + " s: " + v);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
      }
    }
  }

  // ---- (c) many components polled ------------------------------------------------------------

  private void phaseC() throws Exception {
    System.out.println();
    int n = options.components();
    long pollMs = options.pollMs();
    String poll = Options.ms(pollMs);
    int clients = options.clients();
    System.out.printf(Locale.ROOT, "-- (c) %d simulated components, pollInterval %s, on one node --%n", n, poll);
    NodeProcess proc = new NodeProcess(node.pid());
    int window = options.baselineSeconds();
    double idleCores = window > 0 ? proc.cores(window) : Double.NaN;
    if (window > 0) {
      System.out.printf(Locale.ROOT, "  node CPU with no components registered (%d s, nothing sent to it): %.3f cores (%s)%n",
          window, idleCores, Machine.loadAverage());
    }
    long ord0 = maxOrdering();
    long reg0 = System.nanoTime();
    List<String> ids = new ArrayList<>(n);
    Result reg =
        register("c-", n, clients, i -> Api.componentBody("bench-poll", poll, null), ids);
    double regS = (System.nanoTime() - reg0) / 1e9;
    System.out.printf(Locale.ROOT, "  registered %d from %d clients in %.1f s = %.0f/s, per PUT %s%s%n",
        n, clients, regS, n / regS, reg.latency.describe(), reg.errors == 0 ? "" : ", " + reg.errors + " NOT 200");
    summary.add(String.format(Locale.ROOT, "(c) registration of %d from %d clients: %.1f s = %.0f/s, per PUT %s%s",
        n, clients, regS, n / regS, reg.latency.describe(), reg.errors == 0 ? "" : ", " + reg.errors + " NOT 200"));

    // Each new component journals Registered, then its first poll StateChanged (UNKNOWN -> STOPPED)
    // and HealthChanged: wait until the journal stops growing, then a little more (the read side).
    long q0 = System.nanoTime();
    long last = -1;
    int quiet = 0;
    while (quiet < 3 && System.nanoTime() - q0 < TimeUnit.SECONDS.toNanos(180)) {
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
      long now = maxOrdering();
      quiet = now == last ? quiet + 1 : 0;
      last = now;
    }
    System.out.printf(Locale.ROOT, "  journal: %d rows written since the registrations began (%.1f per component); quiet for 3 s after %.1f s%s%n",
        last - ord0, (double) (last - ord0) / n, (System.nanoTime() - q0) / 1e9, quiet < 3 ? " -- NOT QUIET after 180 s" : "");
    if (options.warmSeconds() > 0) {
      LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(options.warmSeconds()));
    }

    int seconds = options.seconds();
    long logOffset = logSize();
    long ordStart = maxOrdering();
    long snapStart = count("SELECT count(*) FROM snapshot");
    Machine.Cpu m0 = Machine.Cpu.now();
    long cpu0 = proc.cpuNanos();
    long wall0 = System.nanoTime();
    System.out.printf(Locale.ROOT, "  steady phase: %d s, sampling %d GET /api/v1/components/{random id} per second (%s)%n",
        seconds, options.samplesPerSecond(), Machine.loadAverage());
    long[] heapStart = proc.heapKib();

    // Poll lag sampler: open loop, each thread fires at its own planned times.
    int threads = 4;
    int rate = options.samplesPerSecond();
    long periodNanos = TimeUnit.SECONDS.toNanos(1) * threads / rate;
    ConcurrentLinkedQueue<double[]> samples = new ConcurrentLinkedQueue<>();
    AtomicInteger sampleErrors = new AtomicInteger();
    AtomicInteger neverSeen = new AtomicInteger();
    long startAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
    long endAt = startAt + TimeUnit.SECONDS.toNanos(seconds);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> futures = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long first = startAt + periodNanos * t / threads;
      futures.add(
          pool.submit(
              () -> {
                try (Api api = new Api(port, token)) {
                  for (long at = first; at < endAt; at += periodNanos) {
                    Machine.parkUntil(at);
                    String id = ids.get(ThreadLocalRandom.current().nextInt(n));
                    long s = System.nanoTime();
                    try {
                      RawHttp.Response r = api.get("/api/v1/components/" + id);
                      Instant now = Instant.now();
                      long e = System.nanoTime();
                      if (r.status() != 200) {
                        sampleErrors.incrementAndGet();
                        continue;
                      }
                      Instant seen = Api.instant(Api.parse(r.body()).path("lastSeen"));
                      if (seen == null) {
                        neverSeen.incrementAndGet();
                        continue;
                      }
                      samples.add(new double[] {Duration.between(seen, now).toNanos() / 1e6, (e - s) / 1e6, (s - at) / 1e6});
                    } catch (IOException | RuntimeException ex) {
                      sampleErrors.incrementAndGet();
                    }
                  }
                }
                return null;
              }));
    }
    // Meanwhile: the node's RSS every second, its heap every 15 s (jcmd costs the machine ~0.3 CPU-s).
    List<Long> rss = new ArrayList<>();
    List<Long> heapUsed = new ArrayList<>();
    long heapCommitted = heapStart == null ? -1 : heapStart[1];
    if (heapStart != null) {
      heapUsed.add(heapStart[0]);
    }
    long nextHeap = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    for (long at = startAt + TimeUnit.SECONDS.toNanos(1); at <= endAt; at += TimeUnit.SECONDS.toNanos(1)) {
      Machine.parkUntil(at);
      if (!node.alive()) {
        break;
      }
      rss.add(proc.rssKib());
      if (System.nanoTime() >= nextHeap && endAt - System.nanoTime() > TimeUnit.SECONDS.toNanos(5)) {
        long[] h = proc.heapKib();
        if (h != null) {
          heapUsed.add(h[0]);
          heapCommitted = h[1];
        }
        nextHeap += TimeUnit.SECONDS.toNanos(15);
      }
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdownNow();
    long cpu1 = proc.cpuNanos();
    long wall1 = System.nanoTime();
    Machine.Cpu m1 = Machine.Cpu.now();
    long ordEnd = maxOrdering();
    long snapEnd = count("SELECT count(*) FROM snapshot");
    // The sampler's GETs cost the node CPU too: a window without them shows what polling costs.
    double quietCores = window > 0 && node.alive() ? proc.cores(window) : Double.NaN;
    boolean alive = node.alive();
    long[] heapEnd = alive ? proc.heapKib() : null;
    if (heapEnd != null) {
      heapUsed.add(heapEnd[0]);
      heapCommitted = heapEnd[1];
    }
    long[] live = alive && proc.fullGc() ? proc.heapKib() : null;

    double wall = (wall1 - wall0) / 1e9;
    double nodeCpuS = (cpu1 - cpu0) / 1e9;
    double cores = nodeCpuS / wall;
    List<double[]> all = new ArrayList<>(samples);
    double[] age = new double[all.size()];
    double[] getLat = new double[all.size()];
    double[] lateStart = new double[all.size()];
    int late = 0;
    int stale = 0;
    for (int i = 0; i < all.size(); i++) {
      age[i] = all.get(i)[0];
      getLat[i] = all.get(i)[1];
      lateStart[i] = all.get(i)[2];
      if (age[i] > pollMs + 100) {
        late++;
      }
      if (age[i] > 2 * pollMs + 100) {
        stale++;
      }
    }
    Stats ageS = Stats.of(age, age.length);
    Stats getS = Stats.of(getLat, getLat.length);
    Stats pacing = Stats.of(lateStart, lateStart.length);
    long rows = ordEnd - ordStart;
    Map<String, Long> byType = rows > 0 ? rowsByType(ordStart) : Map.of();
    List<String> warnings = logLines(logOffset);

    System.out.printf(Locale.ROOT, "  node CPU: %.1f CPU-s over %.1f s = %.2f cores (%.0f%% of one core; %.1f us per poll)%n",
        nodeCpuS, wall, cores, cores * 100, nodeCpuS * 1e6 / (n * wall * 1000.0 / pollMs));
    System.out.println("  whole machine: " + m1.since(m0) + " (the bench JVM is the sampler)");
    String polling = "";
    if (window > 0) {
      double perPollUs = (quietCores - idleCores) * 1e6 / (n * 1000.0 / pollMs);
      polling = String.format(Locale.ROOT,
          "without the sampler's GETs (%d s after the phase) %.3f cores; with no components (before registering) %.3f cores; so polling costs ~%.3f cores = ~%.0f us of node CPU per poll",
          window, quietCores, idleCores, quietCores - idleCores, perPollUs);
      System.out.println("  node CPU " + polling);
    }
    System.out.printf(Locale.ROOT, "  node RSS: %s%n", rssLine(rss));
    System.out.printf(Locale.ROOT, "  node heap: %s%n", heapLine(heapUsed, heapCommitted, live));
    System.out.printf(Locale.ROOT, "  journal during the steady phase: %d rows%s; snapshots %d -> %d%n",
        rows, byType.isEmpty() ? "" : " " + byType, snapStart, snapEnd);
    System.out.printf(Locale.ROOT, "  poll lag: now - lastSeen %s; over %s + 100 ms: %d (%.2f%%), over 2 x %s + 100 ms: %d; %d errors, %d never polled yet%n",
        ageS.describe(), poll, late, pct(late, age.length), poll, stale, sampleErrors.get(), neverSeen.get());
    System.out.printf(Locale.ROOT, "  sampler: GET latency %s; start lateness vs plan %s%n", getS.describe(), pacing.describe());
    System.out.printf(Locale.ROOT, "  node log during the phase: %d WARN/ERROR lines%s%n", warnings.size(),
        warnings.isEmpty() ? "" : ", first: \n    " + String.join("\n    ", warnings.subList(0, Math.min(5, warnings.size()))));
    if (!alive) {
      System.out.println("  THE NODE DIED; log tail:\n" + node.tail(40));
    }

    summary.add(String.format(Locale.ROOT,
        "(c) %d components polled every %s, %d s steady: node CPU %.2f cores (%.1f CPU-s; %.1f us per poll); machine: %s",
        n, poll, seconds, cores, nodeCpuS, nodeCpuS * 1e6 / (n * wall * 1000.0 / pollMs), m1.since(m0)));
    if (!polling.isEmpty()) {
      summary.add("(c) node CPU " + polling);
    }
    summary.add("(c) node RSS " + rssLine(rss) + "; heap " + heapLine(heapUsed, heapCommitted, live));
    summary.add(String.format(Locale.ROOT, "(c) journal rows written during the steady phase: %d%s", rows, byType.isEmpty() ? "" : " " + byType));
    summary.add(String.format(Locale.ROOT,
        "(c) poll lag (now - lastSeen of %d random GETs, %d/s): %s; later than %s + 100 ms: %.2f%%; GET p50/p99 %s/%s ms; node log WARN/ERROR lines: %d%s",
        age.length, rate, ageS.describe(), poll, pct(late, age.length), Stats.ms(getS.p50()), Stats.ms(getS.p99()), warnings.size(),
        alive ? "" : "; THE NODE DIED"));
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("components", n);
    c.put("poll_interval_ms", pollMs);
    c.put("registration_s", regS);
    c.put("registration_per_put", reg.latency.toMap());
    c.put("steady_s", wall);
    c.put("node_cpu_s", nodeCpuS);
    c.put("node_cores", cores);
    c.put("node_cores_without_sampler", quietCores);
    c.put("node_cores_no_components", idleCores);
    c.put("rss_kib", rss);
    c.put("heap_used_kib", heapUsed);
    c.put("heap_committed_kib", heapCommitted);
    c.put("heap_live_after_full_gc_kib", live == null ? null : live[0]);
    c.put("journal_rows_steady", rows);
    c.put("journal_rows_by_type", byType);
    c.put("poll_lag", ageS.toMap());
    c.put("poll_lag_late_fraction", pct(late, age.length) / 100);
    c.put("sample_get_latency", getS.toMap());
    c.put("node_log_warnings", warnings.size());
    c.put("node_alive", alive);
    if (alive && options.bigRun()) {
      c.put("run_over_all", runOverAll(n));
    }
    json.put("many_components", c);
  }

  /**
   * One lifecycle run over all the phase's components ({@code group:bench-poll}, CMD_INITIALIZED):
   * each journals its command at the same moment, then its two state changes. How long from the
   * POST to the run's end, what became of each, and what the node logged meanwhile.
   */
  private Map<String, Object> runOverAll(int n) throws IOException {
    System.out.printf(Locale.ROOT, "  a lifecycle run over all %d (group:bench-poll, CMD_INITIALIZED) ...%n", n);
    long logOffset = logSize();
    Map<String, Object> r = new LinkedHashMap<>();
    try (Api api = new Api(port, token)) {
      Instant sent = Instant.now();
      RawHttp.Response resp = api.post("/api/v1/lifecycle",
          "{\"target\":\"group:bench-poll\",\"command\":\"CMD_INITIALIZED\",\"order\":\"dependencies\"}");
      if (resp.status() != 202) {
        throw new IllegalStateException("POST /api/v1/lifecycle over bench-poll -> " + resp.status() + " " + resp.body());
      }
      double ackMs = Duration.between(sent, Instant.now()).toNanos() / 1e6;
      // The report lists every component (~2 MB for 10,000): looked at twice a second, not every
      // 20 ms. A 503 (the run did not answer within the gateway's ask timeout) is counted, and the
      // look repeated, as a client would.
      String runId = Api.parse(resp.body()).path("id").asText();
      int unavailable = 0;
      JsonNode report;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
      while (true) {
        RawHttp.Response look = api.get("/api/v1/lifecycle/" + runId);
        if (look.status() == 200) {
          report = Api.parse(look.body());
          if (!"RUNNING".equals(report.path("status").asText())) {
            break;
          }
        } else if (look.status() == 503) {
          unavailable++;
        } else {
          throw new IllegalStateException("GET /api/v1/lifecycle/" + runId + " -> " + look.status() + " " + look.body());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the run over all " + n + " is still RUNNING after 600 s");
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
      }
      double runS = Duration.between(sent, Api.instant(report.path("finishedAt"))).toNanos() / 1e9;
      Map<String, Integer> outcomes = new TreeMap<>();
      for (JsonNode step : report.path("steps")) {
        for (JsonNode o : step.path("components")) {
          outcomes.merge(o.path("status").asText(), 1, Integer::sum);
        }
      }
      List<String> warnings = logLines(logOffset);
      String line = String.format(Locale.ROOT,
          "run over all %d: %s, POST -> run finishedAt %.1f s (202 after %.0f ms), outcomes %s; GETs of the report answered 503: %d; node log WARN/ERROR lines: %d%s",
          n, report.path("status").asText(), runS, ackMs, outcomes, unavailable, warnings.size(),
          warnings.isEmpty() ? "" : ", first: \n    " + String.join("\n    ", warnings.subList(0, Math.min(5, warnings.size()))));
      System.out.println("  " + line);
      summary.add("(c) " + line.replaceAll(", first: [\\s\\S]*", ""));
      r.put("status", report.path("status").asText());
      r.put("post_to_finished_s", runS);
      r.put("ack_ms", ackMs);
      r.put("outcomes", outcomes);
      r.put("report_503", unavailable);
      r.put("node_log_warnings", warnings.size());
    }
    return r;
  }

  private static double pct(int part, int whole) {
    return whole == 0 ? Double.NaN : 100.0 * part / whole;
  }

  private static String rssLine(List<Long> rss) {
    if (rss.isEmpty()) {
      return "n/a";
    }
    long max = rss.stream().mapToLong(Long::longValue).max().orElse(-1);
    return String.format(Locale.ROOT, "%d MiB at the start of the steady phase, %d MiB at its end, max %d MiB",
        rss.get(0) / 1024, rss.get(rss.size() - 1) / 1024, max / 1024);
  }

  private static String heapLine(List<Long> used, long committed, long[] live) {
    if (used.isEmpty()) {
      return "n/a (jcmd failed)";
    }
    long min = used.stream().mapToLong(Long::longValue).min().orElse(-1);
    long max = used.stream().mapToLong(Long::longValue).max().orElse(-1);
    return String.format(Locale.ROOT,
        "used %d-%d MiB over %d jcmd GC.heap_info samples (committed %d MiB)%s",
        min / 1024, max / 1024, used.size(), committed / 1024,
        live == null ? "" : String.format(Locale.ROOT, "; after a full GC at the end (jcmd GC.run): %d MiB live", live[0] / 1024));
  }

  // ---- journal and log ---------------------------------------------------------------------

  private long maxOrdering() throws SQLException {
    return count("SELECT coalesce(max(ordering), 0) FROM event_journal");
  }

  private long count(String sql) throws SQLException {
    try (Connection c = db.connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private Map<String, Long> rowsByType(long afterOrdering) throws SQLException {
    Map<String, Long> m = new LinkedHashMap<>();
    try (Connection c = db.connect("postgres");
        PreparedStatement s =
            c.prepareStatement(
                "SELECT split_part(persistence_id, '|', 1) || ' ' || event_ser_manifest, count(*) FROM event_journal"
                    + " WHERE ordering > ? GROUP BY 1 ORDER BY 2 DESC LIMIT 20")) {
      s.setLong(1, afterOrdering);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          String k = rs.getString(1);
          m.put(k.substring(k.lastIndexOf('.') + 1), rs.getLong(2));
        }
      }
    }
    return m;
  }

  private long logSize() {
    try {
      return Files.size(node.log());
    } catch (IOException e) {
      return 0;
    }
  }

  private List<String> logLines(long from) {
    List<String> out = new ArrayList<>();
    try (RandomAccessFile f = new RandomAccessFile(node.log().toFile(), "r")) {
      f.seek(from);
      byte[] rest = new byte[(int) Math.min(Integer.MAX_VALUE - 16, f.length() - from)];
      f.readFully(rest);
      for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
        if (line.contains("WARN") || line.contains("ERROR")) {
          out.add(line.length() > 300 ? line.substring(0, 300) + "..." : line);
        }
      }
    } catch (IOException e) {
      out.add("(could not read the log: " + e.getMessage() + ")");
    }
    return out;
  }

  // ---- helpers -----------------------------------------------------------------------------

  private static String joinMs(List<Double> v) {
    List<String> s = new ArrayList<>();
    for (double d : v) {
      s.add(String.format(Locale.ROOT, "%.0f", d));
    }
    return String.join(" / ", s);
  }

  private static double[] toArray(List<Double> v) {
    double[] a = new double[v.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = v.get(i);
    }
    return a;
  }

  private static double[] minus(double[] v, int n, double d) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = v[i] - d;
    }
    return out;
  }

  private static double[] clean(double[] v, int n) {
    double[] out = new double[n];
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (!Double.isNaN(v[i])) {
        out[k++] = v[i];
      }
    }
    return out;
  }

  private static int countFinite(double[] v, int n) {
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (!Double.isNaN(v[i])) {
        k++;
      }
    }
    return k;
  }

  private void cleanup() {
    if (!cleaned.compareAndSet(false, true)) {
      return;
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
