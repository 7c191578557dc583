package dev.orchestrator.bench.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.bench.commands.Api;
import dev.orchestrator.bench.commands.Machine;
import dev.orchestrator.bench.commands.NodeProcess;
import dev.orchestrator.bench.commands.Parallel;
import dev.orchestrator.bench.commands.RawHttp;
import dev.orchestrator.bench.commands.Stats;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * (c) What many runs under way cost the node: N runs each waiting (wait_for_state for RUN on a
 * component that stays STOPPED, timeout 1h), spread over scenarios of 100 each (the most
 * max_concurrent_executions allows); the live heap after a full GC before and with them, the
 * node's RSS, its CPU while they wait; then all are cancelled and timed.
 */
final class RunMemory {
  private static final int PER_SCENARIO = 100;
  private static final String SCENARIO =
      """
      {"name": "%s", "description": "bench/scenarios (c): a run that waits",
       "trigger": {"type": "manual"}, "max_concurrent_executions": %d,
       "actions": [{"type": "wait_for_state", "target": "%s", "state": "RUN", "timeout": "1h"}]}
      """;

  private final Context c;
  private final List<String> scenarios = new ArrayList<>();

  RunMemory(Context c) {
    this.c = c;
  }

  void run() throws Exception {
    int n = c.options().waitingRuns();
    int clients = c.options().clients();
    NodeProcess node = c.node();
    System.out.printf(Locale.ROOT,
        "%n-- (c) %d runs under way at once: wait_for_state RUN (never comes) on one simulated component, timeout 1h, %d scenarios of max_concurrent_executions %d --%n",
        n, (n + PER_SCENARIO - 1) / PER_SCENARIO, PER_SCENARIO);
    String component = c.name("c_0");
    Runs.register(c, List.of(component), c.name("c"), "1s");
    try (Api api = c.api()) {
      for (int s = 0; s * PER_SCENARIO < n; s++) {
        scenarios.add(c.name("wait_" + s));
        Runs.define(api, scenarios.get(s), SCENARIO.formatted(scenarios.get(s), PER_SCENARIO, component));
      }
    }
    System.out.println("  settle: " + Machine.settle(15, 0.4));
    long[] before = live(node);
    long rssBefore = node == null ? -1 : node.rssKib();
    System.out.println("  before: " + describe(before, rssBefore));

    String[] ids = new String[n];
    String[] refusal = new String[1];
    double[] startLat = new double[n];
    long s0 = System.nanoTime();
    int[] codes = Parallel.run(c.port(), c.token(), n, clients, (api, i) -> {
      RawHttp.Response r = api.post("/api/v1/scenarios/" + scenarios.get(i / PER_SCENARIO) + "/run", "{\"data\":{\"i\":" + i + "}}");
      if (r.status() == 202) {
        ids[i] = Api.parse(r.body()).path("runId").asText();
      } else {
        refusal[0] = r.status() + " " + r.body();
      }
      return r.status();
    }, startLat);
    double startS = (System.nanoTime() - s0) / 1e9;
    int refused = Parallel.countNot(codes, 202);
    System.out.printf(Locale.ROOT, "  started %d runs from %d clients in %.1f s (%.0f/s), POST %s%s%n",
        n - refused, clients, startS, n / startS, Stats.of(startLat, n).describe(),
        refused == 0 ? "" : "; " + refused + " REFUSED, e.g. " + refusal[0]);
    List<String> started = new ArrayList<>();
    for (String id : ids) {
      if (id != null) {
        started.add(id);
      }
    }
    long w0 = System.nanoTime();
    awaitRunning(started.size());
    JsonNode[] reports = Runs.reports(c, started);
    int waiting = 0;
    for (JsonNode r : reports) {
      waiting += r != null && "RUNNING".equals(r.path("steps").path(0).path("status").asText()) ? 1 : 0;
    }
    System.out.printf(Locale.ROOT, "  all %d RUNNING on the read side %.1f s after the last start; %d reports show the wait step under way%n",
        started.size(), (System.nanoTime() - w0) / 1e9, waiting);
    Machine.Cpu m0 = Machine.Cpu.now();
    double cores = node == null ? Double.NaN : node.cores(10);
    String machine = Machine.Cpu.now().since(m0);
    long[] with = live(node);
    long rssWith = node == null ? -1 : node.rssKib();
    System.out.println("  with them: " + describe(with, rssWith));
    double perThousand = before == null || with == null || started.isEmpty() ? Double.NaN
        : (with[0] - before[0]) / 1024.0 * 1000 / started.size();
    System.out.printf(Locale.ROOT, "  => live heap %.1f MiB per 1,000 runs under way; RSS %+d MiB; node CPU while they wait %.2f cores over 10 s (%s, %s)%n",
        perThousand, (rssWith - rssBefore) / 1024, cores, machine, Machine.loadAverage());

    long c0 = System.nanoTime();
    int[] cancel = Parallel.run(c.port(), c.token(), started.size(), clients,
        (api, i) -> api.post("/api/v1/runs/" + started.get(i) + "/cancel", "{\"reason\":\"bench\"}").status(), null);
    double cancelS = (System.nanoTime() - c0) / 1e9;
    awaitRunning(0);
    double quietS = (System.nanoTime() - c0) / 1e9;
    int notCancelled = Parallel.countNot(cancel, 200);
    System.out.printf(Locale.ROOT, "  cancelled %d runs from %d clients in %.1f s (%.0f/s)%s; none RUNNING on the read side after %.1f s%n",
        started.size(), clients, cancelS, started.size() / cancelS,
        notCancelled == 0 ? "" : ", " + notCancelled + " NOT 200", quietS);
    // A cancelled run abandons the action in flight: whether its waiting stops too shows here.
    double coresAfter = node == null ? Double.NaN : node.cores(10);
    long[] after = live(node);
    System.out.printf(Locale.ROOT, "  after cancelling: %s; node CPU %.2f cores over 10 s%n",
        describe(after, node == null ? -1 : node.rssKib()), coresAfter);

    c.summary().add(String.format(Locale.ROOT,
        "(c) %d runs under way (waiting): live heap %s -> %s MiB = %.1f MiB per 1,000 runs; RSS %s -> %s MiB; node CPU while they wait %.2f cores; started in %.1f s%s; cancelled all in %.1f s (read side clear after %.1f s); live heap after cancelling %s MiB, node CPU %.2f cores",
        started.size(), mib(before), mib(with), perThousand, kib(rssBefore), kib(rssWith), cores, startS,
        refused == 0 ? "" : " (" + refused + " REFUSED)", cancelS, quietS, mib(after), coresAfter));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("runs", started.size());
    m.put("refused", refused);
    m.put("live_heap_kib_before", before == null ? null : before[0]);
    m.put("live_heap_kib_with_runs", with == null ? null : with[0]);
    m.put("live_heap_kib_after_cancel", after == null ? null : after[0]);
    m.put("mib_per_1000_runs", perThousand);
    m.put("rss_kib_before", rssBefore);
    m.put("rss_kib_with_runs", rssWith);
    m.put("node_cores_while_waiting", cores);
    m.put("node_cores_after_cancel", coresAfter);
    m.put("start_s", startS);
    m.put("cancel_s", cancelS);
    m.put("cancel_until_read_side_clear_s", quietS);
    c.json().put("run_memory", m);
  }

  /** Until the read side lists exactly {@code expected} RUNNING runs of these scenarios (120 s). */
  private void awaitRunning(int expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    try (Api api = c.api()) {
      while (true) {
        int running = 0;
        for (String s : scenarios) {
          running += Runs.summaries(api, s, null, "RUNNING").size();
        }
        if (running == expected) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the read side lists " + running + " RUNNING runs, not " + expected + ", after 120 s");
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
      }
    }
  }

  /** Heap used and committed (KiB) after a full GC, or null without the node's pid. */
  private static long[] live(NodeProcess node) {
    return node != null && node.fullGc() ? node.heapKib() : null;
  }

  private static String describe(long[] heap, long rssKib) {
    return heap == null
        ? "live heap n/a (no pid: give --pid with --url)"
        : String.format(Locale.ROOT, "live heap after a full GC (jcmd GC.run) %s MiB of %s MiB committed; RSS %s MiB",
            mib(heap), heap[1] / 1024, kib(rssKib));
  }

  private static String mib(long[] heap) {
    return heap == null ? "n/a" : String.format(Locale.ROOT, "%.1f", heap[0] / 1024.0);
  }

  private static String kib(long kib) {
    return kib < 0 ? "n/a" : Long.toString(kib / 1024);
  }
}
