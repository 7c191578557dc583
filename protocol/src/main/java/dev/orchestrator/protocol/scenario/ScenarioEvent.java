package dev.orchestrator.protocol.scenario;

import dev.orchestrator.protocol.JsonSerializable;
import java.time.Instant;

/** What happened to a scenario definition and its counters. Never renamed without a migration. */
public sealed interface ScenarioEvent extends JsonSerializable {
  String name();

  Instant at();

  /** Version {@code version} of the definition, from {@code source}. */
  record Defined(
      String name, Scenario definition, ScenarioCommand.Source source, long version, Instant at)
      implements ScenarioEvent {}

  record EnabledChanged(String name, boolean enabled, Instant at) implements ScenarioEvent {}

  record Acknowledged(String name, Instant at) implements ScenarioEvent {}

  /** Run {@code runId} was admitted with this spec; the entity sees it started. */
  record RunAdmitted(
      String name, String runId, ScenarioCommand.Mode mode, ScenarioRunSpec spec, Instant at)
      implements ScenarioEvent {}

  record RunEnded(String name, String runId, RunStatus status, Instant at)
      implements ScenarioEvent {}
}
