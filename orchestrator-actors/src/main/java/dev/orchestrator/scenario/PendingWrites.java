package dev.orchestrator.scenario;

import dev.orchestrator.protocol.scenario.ScenarioEvent;
import dev.orchestrator.scenario.ScenarioState.Known;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a scenario entity decided but has not journaled yet: the admissions and run ends that
 * arrived while it was writing, each with what to do once it is journaled (launch the run, answer).
 * They are journaled together, in the order they were decided, as one write. Decisions are taken
 * against {@link #ahead}: the journaled state with these events applied, so that the limits hold
 * exactly as if each had been journaled on its own. One per entity incarnation, used from its
 * thread only.
 */
final class PendingWrites {

  /** One decision: its event (null for an answer that only waits for the write), and the rest. */
  private record Pending(ScenarioEvent event, Consumer<ScenarioState> after) {}

  private final List<Pending> pending = new ArrayList<>();

  /** True when nothing waits. */
  boolean isEmpty() {
    return pending.isEmpty();
  }

  /** {@code journaled} with every waiting event applied. */
  Known ahead(Known journaled) {
    ScenarioState state = journaled;
    for (Pending p : pending) {
      if (p.event() != null) {
        state = state.apply(p.event());
      }
    }
    return (Known) state;
  }

  /** Whether a waiting event concerns run {@code runId}. */
  boolean mentions(String runId) {
    return pending.stream().anyMatch(p -> p.event() != null && runIdOf(p.event()).equals(runId));
  }

  void add(ScenarioEvent event, Consumer<ScenarioState> after) {
    pending.add(new Pending(event, after));
  }

  /** Takes everything waiting: the events to journal, and what to do after, in order. */
  Taken take() {
    List<ScenarioEvent> events = new ArrayList<>();
    List<Consumer<ScenarioState>> afters = new ArrayList<>();
    for (Pending p : pending) {
      if (p.event() != null) {
        events.add(p.event());
      }
      afters.add(p.after());
    }
    pending.clear();
    return new Taken(events, s -> afters.forEach(a -> a.accept(s)));
  }

  /** What {@link #take} took. */
  record Taken(List<ScenarioEvent> events, Consumer<ScenarioState> after) {}

  private static String runIdOf(ScenarioEvent event) {
    if (event instanceof ScenarioEvent.RunAdmitted a) {
      return a.runId();
    }
    if (event instanceof ScenarioEvent.RunEnded e) {
      return e.runId();
    }
    return "";
  }
}
