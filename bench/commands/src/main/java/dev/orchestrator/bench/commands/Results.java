package dev.orchestrator.bench.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What one system's phases measured. Times are epoch milliseconds unless named otherwise. */
final class Results {
  /** The burst: N commands from {@code clients} concurrent submitters. */
  static final class Burst {
    int n;
    int acked;
    int errors;
    final List<String> errorSamples = new ArrayList<>();
    long firstSubmitMs;
    long lastAckMs;
    /** Headline end: last SUCCEEDED persisted (orchestrator) / last execute() (db-scheduler). */
    long lastDoneMs;
    /** db-scheduler only: last completion written to its table (onExecutionComplete). */
    long lastCompletionPersistedMs;
    int done;
    Stats ackLatency = Stats.EMPTY;
    /** CPU use from the first submit until all were done (includes the wait's polling). */
    String cpu = "";
    /** Orchestrator only: the bench JVM's (the load generator's) CPU per submit, microseconds. */
    double generatorUsPerSubmit = Double.NaN;
    String httpClient = "";

    double throughput() {
      long span = lastDoneMs - firstSubmitMs;
      return done == n && span > 0 ? n * 1000.0 / span : Double.NaN;
    }

    double completionPersistedThroughput() {
      long span = lastCompletionPersistedMs - firstSubmitMs;
      return done == n && lastCompletionPersistedMs > 0 && span > 0 ? n * 1000.0 / span : Double.NaN;
    }

    double submitThroughput() {
      long span = lastAckMs - firstSubmitMs;
      return acked > 0 && span > 0 ? acked * 1000.0 / span : Double.NaN;
    }

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("n", n);
      m.put("acked", acked);
      m.put("errors", errors);
      m.put("done", done);
      m.put("first_submit_ms", firstSubmitMs);
      m.put("last_ack_ms", lastAckMs);
      m.put("last_done_ms", lastDoneMs);
      m.put("throughput_per_s", nanToNull(throughput()));
      if (lastCompletionPersistedMs > 0) {
        m.put("last_completion_persisted_ms", lastCompletionPersistedMs);
        m.put("completion_persisted_throughput_per_s", nanToNull(completionPersistedThroughput()));
      }
      m.put("submit_throughput_per_s", nanToNull(submitThroughput()));
      m.put("ack_latency", ackLatency.toMap());
      m.put("cpu", cpu);
      if (!httpClient.isEmpty()) {
        m.put("http_client", httpClient);
        m.put("generator_cpu_us_per_submit", nanToNull(generatorUsPerSubmit));
      }
      m.put("error_samples", errorSamples);
      return m;
    }
  }

  /** The paced, open-loop run. */
  static final class Paced {
    int planned;
    int sent;
    int acked;
    int errors;
    final List<String> errorSamples = new ArrayList<>();
    int started;
    int completed;
    Stats timerLag = Stats.EMPTY;
    Stats ackLatency = Stats.EMPTY;
    Stats submitToStart = Stats.EMPTY;
    Stats submitToComplete = Stats.EMPTY;
    String startSource = "";
    String completeSource = "";
    /** CPU of the node and of PostgreSQL per command over the paced phase, when measured. */
    String cpu = "";

    Map<String, Object> toMap() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("planned", planned);
      m.put("sent", sent);
      m.put("acked", acked);
      m.put("errors", errors);
      m.put("started", started);
      m.put("completed", completed);
      m.put("timer_lag", timerLag.toMap());
      m.put("ack_latency", ackLatency.toMap());
      m.put("submit_to_start", submitToStart.toMap());
      m.put("submit_to_start_source", startSource);
      m.put("submit_to_complete", submitToComplete.toMap());
      m.put("submit_to_complete_source", completeSource);
      m.put("cpu", cpu);
      m.put("error_samples", errorSamples);
      return m;
    }
  }

  final String system;
  final Map<String, String> config = new LinkedHashMap<>();
  Burst burst;
  Paced paced;
  String failure;

  Results(String system) {
    this.system = system;
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("system", system);
    m.put("config", config);
    if (burst != null) {
      m.put("burst", burst.toMap());
    }
    if (paced != null) {
      m.put("paced", paced.toMap());
    }
    if (failure != null) {
      m.put("failure", failure);
    }
    return m;
  }

  static Object nanToNull(double d) {
    return Double.isNaN(d) || Double.isInfinite(d) ? null : d;
  }
}
