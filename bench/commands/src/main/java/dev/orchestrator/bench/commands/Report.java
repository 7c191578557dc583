package dev.orchestrator.bench.commands;

import java.util.List;
import java.util.Locale;

/** The compact report printed at the end of a run. */
final class Report {
  private Report() {}

  static String rate(double perSecond) {
    return Double.isNaN(perSecond) ? "n/a" : String.format(Locale.ROOT, "%,.0f", perSecond);
  }

  private static String ratio(double a, double b) {
    if (Double.isNaN(a) || Double.isNaN(b) || b == 0) {
      return "n/a";
    }
    return String.format(Locale.ROOT, "%.2fx", a / b);
  }

  static void print(
      List<String> facts, Results orch, Results ds, int n, int clients, int rate, int seconds) {
    System.out.println();
    System.out.println("==================================== figures ====================================");
    facts.forEach(System.out::println);
    System.out.printf(Locale.ROOT, "burst: %,d noop commands from %d concurrent clients; paced: %d/s for %d s (open loop)%n",
        n, clients, rate, seconds);
    if (orch != null) {
      section(orch, "commands",
          "first submit -> last Succeeded write_timestamp in event_journal");
    }
    if (ds != null) {
      section(ds, "executions",
          "first schedule() -> last execute() (System.currentTimeMillis in execute)");
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "%-34s %14s %14s %12s%n", "summary", "orchestrator", "db-scheduler", "orch/db-s");
    double ot = orch != null && orch.burst != null ? orch.burst.throughput() : Double.NaN;
    double dt = ds != null && ds.burst != null ? ds.burst.throughput() : Double.NaN;
    row("burst throughput (/s)", rate(ot), rate(dt), ratio(ot, dt), "target: orch >= 3x");
    Stats os = orch != null && orch.paced != null ? orch.paced.submitToStart : Stats.EMPTY;
    Stats dss = ds != null && ds.paced != null ? ds.paced.submitToStart : Stats.EMPTY;
    Stats oc = orch != null && orch.paced != null ? orch.paced.submitToComplete : Stats.EMPTY;
    Stats dc = ds != null && ds.paced != null ? ds.paced.submitToComplete : Stats.EMPTY;
    row("paced submit->start p50 (ms)", Stats.ms(os.p50()), Stats.ms(dss.p50()), ratio(os.p50(), dss.p50()), "");
    row("paced submit->start p99 (ms)", Stats.ms(os.p99()), Stats.ms(dss.p99()), ratio(os.p99(), dss.p99()), "target: orch <= 5 ms");
    row("paced submit->complete p50 (ms)", Stats.ms(oc.p50()), Stats.ms(dc.p50()), ratio(oc.p50(), dc.p50()), "");
    row("paced submit->complete p99 (ms)", Stats.ms(oc.p99()), Stats.ms(dc.p99()), ratio(oc.p99(), dc.p99()), "");
    System.out.println("(ratio: orchestrator / db-scheduler; above 1 is better for throughput, below 1 for latency)");
    if (!Double.isNaN(ot) && !Double.isNaN(dt)) {
      System.out.printf(Locale.ROOT, "burst >= 3x db-scheduler: %s;  ", ot >= 3 * dt ? "REACHED" : "NOT reached");
    }
    if (os.present()) {
      System.out.printf(Locale.ROOT, "paced submit->start p99 <= 5 ms: %s", os.p99() <= 5 ? "REACHED" : "NOT reached");
    }
    System.out.println();
    System.out.println("notes: paced latencies run from each submit's PLANNED send time (open loop; the timer's lag is shown).");
    System.out.println("  orchestrator: event_journal.write_timestamp has MILLISECOND resolution (epoch ms, stamped by the");
    System.out.println("  journal as it writes) and is compared with this machine's clock: each figure is good to about 1 ms.");
    System.out.println("  db-scheduler: System.nanoTime() in the bench JVM, to execute() entered (start) and to");
    System.out.println("  onExecutionComplete (its completion written: row deleted).");
    if (orch != null && orch.burst != null && !Double.isNaN(orch.burst.generatorUsPerSubmit)) {
      double us = orch.burst.generatorUsPerSubmit;
      System.out.printf(Locale.ROOT,
          "  load generator (--http-client=%s): the bench JVM used %.0f us of CPU per submit in the burst (its CPU%n"
              + "  time / N, idle overhead of a slow burst included); at that cost %d CPUs alone would top out near %,.0f/s.%n"
              + "  %s%n",
          orch.burst.httpClient, us, Machine.nproc(), Machine.nproc() * 1e6 / us,
          orch.burst.httpClient.equals("jdk")
              ? "If the orchestrator's figure nears that, rerun with --http-client=raw (5-10x less CPU per request)."
              : "");
    }
    if (orch != null && orch.failure != null) {
      System.out.println("orchestrator FAILED: " + orch.failure);
    }
    if (ds != null && ds.failure != null) {
      System.out.println("db-scheduler FAILED: " + ds.failure);
    }
    System.out.println("=================================================================================");
  }

  private static void row(String what, String o, String d, String r, String note) {
    System.out.printf(Locale.ROOT, "%-34s %14s %14s %12s   %s%n", what, o, d, r, note);
  }

  private static void section(Results r, String unit, String throughputDefinition) {
    System.out.println();
    System.out.println(r.system);
    r.config.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    Results.Burst b = r.burst;
    if (b != null) {
      System.out.printf(Locale.ROOT,
          "  burst: %,d submitted, %,d accepted, %,d errors, %,d done%s%n",
          b.n, b.acked, b.errors, b.done, b.done < b.n ? "  (INCOMPLETE: throughput not computed)" : "");
      System.out.printf(Locale.ROOT,
          "    throughput %s %s/s  (%s: %.2f s)%n",
          rate(b.throughput()), unit, throughputDefinition, (b.lastDoneMs - b.firstSubmitMs) / 1000.0);
      if (b.lastCompletionPersistedMs > 0) {
        System.out.printf(Locale.ROOT,
            "    to the last completion written to scheduled_tasks: %s/s%n", rate(b.completionPersistedThroughput()));
      }
      System.out.printf(Locale.ROOT,
          "    submit: %s acks/s, ack latency %s%n", rate(b.submitThroughput()), b.ackLatency.describe());
      if (!b.cpu.isEmpty()) {
        System.out.println("    cpu: " + b.cpu);
      }
      b.errorSamples.forEach(e -> System.out.println("    error: " + e));
    }
    Results.Paced p = r.paced;
    if (p != null) {
      System.out.printf(Locale.ROOT,
          "  paced: %,d planned, %,d sent (timer lag p99 %s ms), %,d accepted, %,d errors, %,d started, %,d completed%n",
          p.planned, p.sent, Stats.ms(p.timerLag.p99()), p.acked, p.errors, p.started, p.completed);
      System.out.println("    ack latency      " + p.ackLatency.describe());
      System.out.println("    submit->start    " + p.submitToStart.describe() + "   [" + p.startSource + "]");
      System.out.println("    submit->complete " + p.submitToComplete.describe() + "   [" + p.completeSource + "]");
      if (!p.cpu.isEmpty()) {
        System.out.println("    cpu: " + p.cpu);
      }
      p.errorSamples.forEach(e -> System.out.println("    error: " + e));
    }
    if (r.failure != null) {
      System.out.println("  FAILED: " + r.failure);
    }
  }
}
