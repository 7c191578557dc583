package dev.orchestrator.protocol.lifecycle;

import dev.orchestrator.protocol.JsonSerializable;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What happened in a lifecycle run, as journaled. Never renamed without a JacksonMigration. */
public sealed interface LifecycleRunEvent extends JsonSerializable {
  String runId();

  Instant at();

  /**
   * The run was accepted with this plan: steps of component ids, and for each component the targets
   * whose failure makes it skip (its dependencies at start-up; empty otherwise).
   */
  record Started(
      String runId,
      LifecycleRunSpec spec,
      List<List<String>> plan,
      Map<String, List<String>> blockers,
      Instant at)
      implements LifecycleRunEvent {}

  /** Step {@code step} began: its components get their command now. */
  record StepStarted(String runId, int step, Instant at) implements LifecycleRunEvent {}

  /**
   * The component took {@code command} in state {@code from}; the run waits for {@code expected}.
   */
  record Sent(
      String runId,
      String componentId,
      LifecycleCommand command,
      FsmState from,
      FsmState expected,
      Instant at)
      implements LifecycleRunEvent {}

  /** The component reached the state the run waited for (or was in it already). */
  record Reached(String runId, String componentId, FsmState state, boolean already, Instant at)
      implements LifecycleRunEvent {}

  /** The component did not make it: refused, faulted, unreachable or too slow. */
  record Failed(String runId, String componentId, String reason, Instant at)
      implements LifecycleRunEvent {}

  /** The component was left alone: a dependency failed, or the run ran out of time. */
  record Skipped(String runId, String componentId, String reason, Instant at)
      implements LifecycleRunEvent {}

  /**
   * What the run decided at once for several components, each named at most once: journaled as one
   * event (one row) rather than one per component, so that a wave of fifty outcomes costs one
   * insert, not fifty, while the components' own events compete for the journal. Its {@code at} is
   * when the wave was decided; each entry keeps its own.
   */
  record Outcomes(
      String runId,
      List<Sent> sent,
      List<Reached> reached,
      List<Failed> failed,
      List<Skipped> skipped,
      Instant at)
      implements LifecycleRunEvent {
    public Outcomes {
      sent = sent == null ? List.of() : List.copyOf(sent);
      reached = reached == null ? List.of() : List.copyOf(reached);
      failed = failed == null ? List.of() : List.copyOf(failed);
      skipped = skipped == null ? List.of() : List.copyOf(skipped);
    }

    /** The component events it stands for. */
    public List<LifecycleRunEvent> entries() {
      List<LifecycleRunEvent> all = new ArrayList<>(sent);
      all.addAll(reached);
      all.addAll(failed);
      all.addAll(skipped);
      return all;
    }
  }

  /** The run ended: SUCCEEDED (every component reached its state), FAILED or TIMED_OUT. */
  record Finished(String runId, String status, Instant at) implements LifecycleRunEvent {}
}
