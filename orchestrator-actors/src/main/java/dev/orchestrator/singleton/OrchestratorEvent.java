package dev.orchestrator.singleton;

import dev.orchestrator.protocol.JsonSerializable;
import java.time.Instant;
import java.util.List;

/** What the orchestrator singleton journals. Never renamed without a JacksonMigration. */
public sealed interface OrchestratorEvent extends JsonSerializable {

  /** An event arrived; it is matched to scenarios until {@link EventDispatched}. */
  record EventIngested(String eventId, Orchestrator.IncomingEvent event, Instant at)
      implements OrchestratorEvent {}

  /** Every scenario the event matched was asked to run it. */
  record EventDispatched(String eventId, Instant at) implements OrchestratorEvent {}

  /**
   * A schedule moved on to {@code lastFire}; {@code fires} are the fire times to run (none when a
   * schedule is first seen or its missed fires are dropped).
   */
  record ScheduleAdvanced(String scenario, Instant lastFire, List<Instant> fires, Instant at)
      implements OrchestratorEvent {}

  /** The fires were asked to run. */
  record FiresDispatched(String scenario, List<Instant> fires, Instant at)
      implements OrchestratorEvent {}
}
