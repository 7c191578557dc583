package dev.orchestrator.bench.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.bench.commands.Api;
import dev.orchestrator.bench.commands.Machine;
import dev.orchestrator.bench.commands.RawHttp;
import dev.orchestrator.bench.commands.Stats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * (b) Event to first action: POST /api/v1/events at a paced rate (open loop: each event leaves at
 * its planned time whatever the previous answers took); each event starts one run of an
 * event-triggered scenario whose first action is log_event. Per event: the first step's
 * {@code startedAt} (the node's clock) minus the instant the bench sent the POST (the same machine's
 * clock), found afterwards through the run's report ({@code trigger.data.seq}).
 */
final class EventLatency {
  private static final int SENDERS = 4;
  private static final String SCENARIO =
      """
      {"name": "%s", "description": "bench/scenarios (b): event -> first action",
       "trigger": {"type": "event", "event": {"type": "%s"}},
       "cooldown": "0s", "max_concurrent_executions": 100,
       "actions": [{"type": "log_event", "message": "event {{ trigger.data.seq }} from {{ trigger.source }}"}]}
      """;

  private final Context c;
  private final String scenario;
  private final String type;

  EventLatency(Context c) {
    this.c = c;
    this.scenario = c.name("event");
    this.type = "BSC_" + c.tag().toUpperCase(Locale.ROOT) + "_PING";
  }

  void run() throws Exception {
    Options o = c.options();
    int rate = o.rate();
    int warm = o.warmupSeconds() * rate;
    int total = warm + o.seconds() * rate;
    System.out.printf(Locale.ROOT,
        "%n-- (b) event -> first action: POST /api/v1/events %d/s for %d s (after %d s unmeasured), scenario with cooldown 0s, max_concurrent_executions 100, first action log_event --%n",
        rate, o.seconds(), o.warmupSeconds());
    try (Api api = c.api()) {
      Runs.define(api, scenario, SCENARIO.formatted(scenario, type));
    }
    System.out.println("  settle: " + Machine.settle(15, 0.4));
    Instant[] sent = new Instant[total];
    double[] ack = new double[total];
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger unmatched = new AtomicInteger();
    long period = TimeUnit.SECONDS.toNanos(1) / rate;
    long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
    ExecutorService pool = Executors.newFixedThreadPool(SENDERS);
    List<Future<?>> futures = new ArrayList<>();
    Machine.Cpu cpu0 = Machine.Cpu.now();
    long node0 = c.node() == null ? -1 : c.node().cpuNanos();
    for (int t = 0; t < SENDERS; t++) {
      int first = t;
      futures.add(pool.submit(() -> {
        try (Api api = c.api()) {
          api.get("/health/alive");
          for (int i = first; i < total; i += SENDERS) {
            Machine.parkUntil(start + i * period);
            String body = "{\"type\":\"" + type + "\",\"source\":\"bench\",\"data\":{\"seq\":" + i + "}}";
            sent[i] = Instant.now();
            long s = System.nanoTime();
            RawHttp.Response r = api.post("/api/v1/events", body);
            ack[i] = (System.nanoTime() - s) / 1e6;
            if (r.status() != 202) {
              refused.incrementAndGet();
            } else if (!Api.parse(r.body()).path("matched").toString().contains(scenario)) {
              unmatched.incrementAndGet();
            }
          }
        }
        return null;
      }));
    }
    for (Future<?> f : futures) {
      f.get();
    }
    pool.shutdownNow();
    long node1 = c.node() == null ? -1 : c.node().cpuNanos();
    String machine = (node0 < 0 || node1 < 0 ? "" : String.format(Locale.ROOT,
        "node %.1f CPU-s (%.1f ms per event); ", (node1 - node0) / 1e9, (node1 - node0) / 1e6 / total))
        + Machine.Cpu.now().since(cpu0);

    List<String> ids = awaitRuns(total - refused.get() - unmatched.get());
    JsonNode[] reports = Runs.reports(c, ids);
    int n = total - warm;
    double[] toFirst = fill(n);
    double[] toJournal = fill(n);
    double[] journalToFirst = fill(n);
    for (JsonNode r : reports) {
      int seq = r == null ? -1 : r.path("trigger").path("data").path("seq").asInt(-1);
      if (seq < warm || seq >= total) {
        continue;
      }
      Instant at = Api.instant(r.path("trigger").path("at"));
      Instant firstStep = Api.instant(r.path("steps").path(0).path("startedAt"));
      toFirst[seq - warm] = Runs.ms(sent[seq], firstStep);
      toJournal[seq - warm] = Runs.ms(sent[seq], at);
      journalToFirst[seq - warm] = Runs.ms(at, firstStep);
    }
    Stats first = stats(toFirst);
    Stats journaled = stats(toJournal);
    Stats dispatch = stats(journalToFirst);
    double[] measuredAck = Arrays.copyOfRange(ack, warm, total);
    Stats acks = Stats.of(measuredAck, measuredAck.length);
    int missing = n - first.count();
    System.out.println("  POST sent -> first action started: " + first.describe());
    System.out.println("    POST sent -> event journaled (trigger.at): " + journaled.describe());
    System.out.println("    event journaled -> first action started:  " + dispatch.describe());
    System.out.println("    POST -> 202: " + acks.describe());
    System.out.println("  during the sending: " + machine);
    String problems = (refused.get() + unmatched.get() + missing == 0) ? ""
        : String.format(Locale.ROOT, "; %d refused, %d not matched, %d measured events without a run",
            refused.get(), unmatched.get(), missing);
    System.out.println("  " + (problems.isEmpty() ? "every event started its run" : problems.substring(2)));
    c.summary().add(String.format(Locale.ROOT,
        "(b) event -> first action, %d events at %d/s: p50 %s / p99 %s / max %s ms (target p99 <= 20 ms: %s); of it POST -> journaled p50 %s / p99 %s ms, journaled -> first action p50 %s / p99 %s ms; POST 202 p99 %s ms%s",
        first.count(), rate, Stats.ms(first.p50()), Stats.ms(first.p99()), Stats.ms(first.max()),
        first.p99() <= 20 ? "met" : "NOT met", Stats.ms(journaled.p50()), Stats.ms(journaled.p99()),
        Stats.ms(dispatch.p50()), Stats.ms(dispatch.p99()), Stats.ms(acks.p99()), problems));
    Map<String, Object> b = new LinkedHashMap<>();
    b.put("rate", rate);
    b.put("seconds", o.seconds());
    b.put("event_to_first_action", first.toMap());
    b.put("post_to_journaled", journaled.toMap());
    b.put("journaled_to_first_action", dispatch.toMap());
    b.put("post_ack", acks.toMap());
    b.put("refused", refused.get());
    b.put("unmatched", unmatched.get());
    b.put("missing_runs", missing);
    c.json().put("event_latency", b);
  }

  /** The ids of this scenario's runs once the read side lists {@code expected} (60 s at most). */
  private List<String> awaitRuns(int expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try (Api api = c.api()) {
      while (true) {
        Map<String, JsonNode> runs = Runs.summaries(api, scenario, null, null);
        if (runs.size() >= expected || System.nanoTime() > deadline) {
          if (runs.size() < expected) {
            System.out.println("  (the read side lists " + runs.size() + " of " + expected + " runs after 60 s)");
          }
          return new ArrayList<>(runs.keySet());
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
      }
    }
  }

  private static double[] fill(int n) {
    double[] v = new double[n];
    Arrays.fill(v, Double.NaN);
    return v;
  }

  private static Stats stats(double[] v) {
    double[] f = Runs.finite(v);
    return Stats.of(f, f.length);
  }
}
