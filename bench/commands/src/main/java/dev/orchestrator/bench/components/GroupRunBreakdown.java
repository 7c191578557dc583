package dev.orchestrator.bench.components;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.bench.commands.Api;
import dev.orchestrator.bench.commands.Stats;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a group run's time goes, per component that REACHED its state: from the POST to the run's
 * {@code startedAt}, from there to the component's {@code sentAt}, from there to the time its
 * entity saw the target state (the history's state entry, minus the transition time), and from
 * there to the run's REACHED ({@code finishedAt}). The instants are the node's; the POST's is the
 * bench's (same machine, same clock).
 */
final class GroupRunBreakdown {
  private final long transitionMs;
  private final List<Double> started = new ArrayList<>();
  private final List<Double> sent = new ArrayList<>();
  private final List<Double> seen = new ArrayList<>();
  private final List<Double> reached = new ArrayList<>();

  GroupRunBreakdown(long transitionMs) {
    this.transitionMs = transitionMs;
  }

  /** Adds the components of one finished run; reads each one's history (unmeasured). */
  void add(Api api, Instant post, JsonNode report, String targetState) throws IOException {
    Instant runStart = Api.instant(report.path("startedAt"));
    for (JsonNode step : report.path("steps")) {
      for (JsonNode o : step.path("components")) {
        Instant sentAt = Api.instant(o.path("sentAt"));
        Instant reachedAt = Api.instant(o.path("finishedAt"));
        if (!"REACHED".equals(o.path("status").asText()) || sentAt == null) {
          continue;
        }
        Instant seenAt = seenAt(api, o.path("id").asText(), targetState, sentAt);
        started.add(ms(post, runStart));
        sent.add(ms(runStart, sentAt));
        if (seenAt != null) {
          seen.add(ms(sentAt, seenAt) - transitionMs);
          reached.add(ms(seenAt, reachedAt));
        }
      }
    }
  }

  /** When the component's entity recorded {@code state} after {@code after}, null if it did not. */
  private static Instant seenAt(Api api, String id, String state, Instant after) throws IOException {
    JsonNode history = api.getJson("/api/v1/components/" + id + "/history");
    Instant found = null;
    for (JsonNode entry : history.path("states")) {
      Instant at = Api.instant(entry.path("at"));
      if (state.equals(entry.path("to").asText()) && at != null && !at.isBefore(after)) {
        found = found == null || at.isBefore(found) ? at : found;
      }
    }
    return found;
  }

  List<String> lines() {
    return List.of(
        "POST -> run startedAt:                       " + stats(started).describe(),
        "run startedAt -> component sentAt:           " + stats(sent).describe(),
        "sentAt -> entity saw the state, minus trans.: " + stats(seen).describe(),
        "entity saw the state -> run REACHED:          " + stats(reached).describe());
  }

  Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("post_to_run_started", stats(started).toMap());
    m.put("run_started_to_sent", stats(sent).toMap());
    m.put("sent_to_entity_saw_minus_transition", stats(seen).toMap());
    m.put("entity_saw_to_reached", stats(reached).toMap());
    return m;
  }

  private static Stats stats(List<Double> values) {
    double[] a = values.stream().mapToDouble(Double::doubleValue).toArray();
    return Stats.of(a, a.length);
  }

  private static double ms(Instant from, Instant to) {
    return Duration.between(from, to).toNanos() / 1e6;
  }
}
