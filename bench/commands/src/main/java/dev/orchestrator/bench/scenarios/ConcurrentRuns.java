package dev.orchestrator.bench.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.bench.commands.Api;
import dev.orchestrator.bench.commands.CliOptions;
import dev.orchestrator.bench.commands.Machine;
import dev.orchestrator.bench.commands.RawHttp;
import dev.orchestrator.bench.commands.Stats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * (a) Many five-step runs at once on simulated components: each run logs, brings its component
 * (given as run data) to INITIALIZED, waits for that state, stops it again and logs; all are
 * started by simultaneous POST .../run and timed by the node's own timestamps.
 */
final class ConcurrentRuns {
  private static final String SCENARIO =
      """
      {"name": "%s", "description": "bench/scenarios (a): cycle one component",
       "trigger": {"type": "manual"}, "max_concurrent_executions": 100,
       "actions": [
        {"type": "log_event", "message": "run {{ run.id }}: cycling {{ trigger.data.c }}"},
        {"type": "send_command", "target": "{{ trigger.data.c }}", "command": "CMD_INITIALIZED", "timeout": "60s"},
        {"type": "wait_for_state", "target": "{{ trigger.data.c }}", "state": "INITIALIZED", "timeout": "60s"},
        {"type": "send_command", "target": "{{ trigger.data.c }}", "command": "CMD_STOPPED", "timeout": "60s"},
        {"type": "log_event", "message": "{{ trigger.data.c }} is back in STOPPED"}]}
      """;

  private final Context c;
  private final String scenario;
  private final List<String> components = new ArrayList<>();

  ConcurrentRuns(Context c) {
    this.c = c;
    this.scenario = c.name("five");
  }

  void run() throws Exception {
    Options o = c.options();
    int runs = o.runs();
    System.out.printf(Locale.ROOT,
        "%n-- (a) %d concurrent five-step runs on %d simulated components (pollInterval %s, transition %d ms, action poll %d ms) --%n",
        runs, o.components(), CliOptions.ms(o.pollMs()), o.transitionMs(), o.actionPollMs());
    System.out.println("  steps: log_event, send_command CMD_INITIALIZED, wait_for_state INITIALIZED,"
        + " send_command CMD_STOPPED, log_event; target {{ trigger.data.c }}; max_concurrent_executions 100");
    for (int i = 0; i < o.components(); i++) {
      components.add(c.name("a_" + i));
    }
    Runs.register(c, components, c.name("a"), CliOptions.ms(o.pollMs()));
    try (Api api = c.api()) {
      Runs.define(api, scenario, SCENARIO.formatted(scenario));
    }
    List<Double> totals = new ArrayList<>();
    int failed = 0;
    List<Map<String, Object>> rounds = new ArrayList<>();
    Round alone = null;
    for (int r = -o.warmupRounds() - 1; r < o.rounds(); r++) {
      System.out.println("  settle: " + Machine.settle(15, 0.4));
      if (r == -1) {
        // After the warm-up: what one run takes when it has the node to itself.
        alone = round(1);
        System.out.printf(Locale.ROOT, "  one run alone: createdAt -> finishedAt %s ms, POST -> ended %.0f ms%n",
            Stats.ms(alone.duration.p50()), alone.totalMs);
        System.out.println("    per step (ms): " + alone.steps);
        continue;
      }
      Round round = round(runs);
      String label = r < -1 ? "cold round (not counted)" : "round " + (r + 1);
      String line = round.describe();
      System.out.println("  " + label + ": " + line);
      System.out.println("    per step p50 (ms): " + round.steps);
      System.out.println("    from the first POST until the read side showed all ended: " + round.cpu);
      if (r >= 0) {
        totals.add(round.totalMs);
        failed += round.failed;
        c.summary().add("(a) " + label + ": " + line);
        rounds.add(round.toMap());
      }
    }
    c.summary().add(String.format(Locale.ROOT, "(a) one run alone (after the warm-up): %s ms; per step %s",
        Stats.ms(alone.duration.p50()), alone.steps));
    String verdict = failed == 0 && totals.stream().allMatch(t -> t < 1000) ? "met" : "NOT met";
    c.summary().add(String.format(Locale.ROOT,
        "(a) target: source plan < 10 s, ours < 1 s for %d runs from the first POST to the last SUCCEEDED: %s (%s ms)",
        runs, verdict, join(totals)));
    Map<String, Object> a = new LinkedHashMap<>();
    a.put("runs", runs);
    a.put("components", o.components());
    a.put("transition_ms", o.transitionMs());
    a.put("action_poll_ms", o.actionPollMs());
    a.put("one_run_alone_ms", alone.duration.p50());
    a.put("one_run_alone_steps_ms", alone.steps);
    a.put("rounds", rounds);
    c.json().put("concurrent_runs", a);
  }

  /** Starts {@code runs} runs at once (one thread and connection each), waits for their ends. */
  private Round round(int runs) throws Exception {
    Instant[] sent = new Instant[runs];
    double[] ack = new double[runs];
    String[] ids = new String[runs];
    CountDownLatch ready = new CountDownLatch(runs);
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(runs);
    List<Future<String>> futures = new ArrayList<>();
    long cpu0;
    Machine.Cpu machine0;
    try {
      for (int i = 0; i < runs; i++) {
        int k = i;
        futures.add(pool.submit(() -> {
          try (Api api = c.api()) {
            api.get("/health/alive"); // connected before the start
            String body = "{\"data\":{\"c\":\"" + components.get(k % components.size()) + "\"}}";
            ready.countDown();
            go.await();
            sent[k] = Instant.now();
            long s = System.nanoTime();
            RawHttp.Response resp = api.post("/api/v1/scenarios/" + scenario + "/run", body);
            ack[k] = (System.nanoTime() - s) / 1e6;
            if (resp.status() != 202) {
              return "POST run -> " + resp.status() + " " + resp.body();
            }
            ids[k] = Api.parse(resp.body()).path("runId").asText();
            return null;
          }
        }));
      }
      ready.await();
      cpu0 = c.node() == null ? -1 : c.node().cpuNanos();
      machine0 = Machine.Cpu.now();
      go.countDown();
      for (Future<String> f : futures) {
        if (f.get() != null) {
          throw new IllegalStateException(f.get());
        }
      }
    } finally {
      pool.shutdownNow();
    }
    Map<String, JsonNode> ended;
    try (Api api = c.api()) {
      ended = Runs.awaitEnded(api, scenario, new HashSet<>(List.of(ids)), 300, 100);
    }
    long cpu1 = c.node() == null ? -1 : c.node().cpuNanos();
    String cpu = String.format(Locale.ROOT, "node %s CPU-s, %s",
        cpu0 < 0 || cpu1 < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", (cpu1 - cpu0) / 1e9),
        Machine.Cpu.now().since(machine0));
    Instant first = java.util.Arrays.stream(sent).min(Instant::compareTo).orElseThrow();
    Instant last = null;
    Instant lastCreated = null;
    double[] duration = new double[runs];
    double[] postToEnd = new double[runs];
    int failed = 0;
    String firstError = null;
    for (int i = 0; i < runs; i++) {
      JsonNode s = ended.get(ids[i]);
      Instant end = Api.instant(s.path("finishedAt"));
      last = last == null || end.isAfter(last) ? end : last;
      Instant created = Api.instant(s.path("createdAt"));
      lastCreated = lastCreated == null || created.isAfter(lastCreated) ? created : lastCreated;
      duration[i] = Runs.ms(created, end);
      postToEnd[i] = Runs.ms(sent[i], end);
      if (!"SUCCEEDED".equals(s.path("status").asText())) {
        failed++;
        firstError = firstError == null ? s.path("status").asText() + ": " + s.path("error").asText() : firstError;
      }
    }
    return new Round(runs, Runs.ms(first, last), Runs.ms(first, lastCreated), Stats.of(duration, runs), Stats.of(postToEnd, runs),
        Stats.of(ack, runs), failed, firstError, stepMedians(List.of(ids)), cpu);
  }

  /** The median duration of each step over the round's runs, from their reports. */
  private String stepMedians(List<String> ids) throws Exception {
    JsonNode[] reports = Runs.reports(c, ids);
    List<String> parts = new ArrayList<>();
    for (int step = 0; step < 5; step++) {
      double[] d = new double[reports.length];
      String action = "?";
      for (int i = 0; i < reports.length; i++) {
        JsonNode st = reports[i] == null ? null : reports[i].path("steps").path(step);
        d[i] = st == null ? Double.NaN
            : Runs.ms(Api.instant(st.path("startedAt")), Api.instant(st.path("finishedAt")));
        action = st == null ? action : st.path("action").asText(action);
      }
      double[] f = Runs.finite(d);
      parts.add(action + " " + Stats.ms(Stats.of(f, f.length).p50()));
    }
    return String.join(", ", parts);
  }

  private record Round(int runs, double totalMs, double createdMs, Stats duration, Stats postToEnd, Stats ack,
      int failed, String firstError, String steps, String cpu) {
    String describe() {
      return String.format(Locale.ROOT,
          "first POST -> last run ended %.0f ms (-> last run created %.0f ms); per run (createdAt -> finishedAt) p50 %s / p99 %s ms;"
              + " POST -> its run ended p50 %s / p99 %s ms; POST 202 p50 %s / p99 %s ms%s",
          totalMs, createdMs, Stats.ms(duration.p50()), Stats.ms(duration.p99()), Stats.ms(postToEnd.p50()),
          Stats.ms(postToEnd.p99()), Stats.ms(ack.p50()), Stats.ms(ack.p99()),
          failed == 0 ? "; all SUCCEEDED" : "; " + failed + " NOT SUCCEEDED, first: " + firstError);
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("first_post_to_last_end_ms", totalMs);
      m.put("first_post_to_last_created_ms", createdMs);
      m.put("run_duration", duration.toMap());
      m.put("post_to_run_end", postToEnd.toMap());
      m.put("post_ack", ack.toMap());
      m.put("not_succeeded", failed);
      m.put("step_p50_ms", steps);
      m.put("cpu_until_read_side_showed_all_ended", cpu);
      return m;
    }
  }

  private static String join(List<Double> v) {
    return String.join(" / ", v.stream().map(d -> String.format(Locale.ROOT, "%.0f", d)).toList());
  }
}
