package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.JsonSerializable;
import java.time.Instant;

/**
 * What happened in a scenario run, as journaled. Steps are named by their path in the definition,
 * such as {@code actions[2]} or {@code actions[2].on_failure[0]}. Never renamed without a
 * JacksonMigration.
 */
public sealed interface ScenarioRunEvent extends JsonSerializable {
  String runId();

  Instant at();

  /** The run was admitted and begins. */
  record RunStarted(String runId, ScenarioRunSpec spec, Instant at) implements ScenarioRunEvent {}

  /**
   * An attempt of a step began. {@code reattempt} is true when the attempt before it was cut short
   * by a crash or a move of the run to another node: its effects may have happened.
   */
  record StepStarted(
      String runId, String path, String action, int attempt, boolean reattempt, Instant at)
      implements ScenarioRunEvent {}

  /** The step did what it should; {@code detail} says what, {@code output} is its result if any. */
  record StepSucceeded(String runId, String path, String detail, JsonNode output, Instant at)
      implements ScenarioRunEvent {}

  /**
   * An attempt failed. With {@code retryAt} another attempt follows then; without, the step has
   * failed for good and its {@code on_failure} actions run next.
   */
  record StepFailed(
      String runId, String path, int attempt, String error, Instant retryAt, Instant at)
      implements ScenarioRunEvent {}

  /** The step was not run: the action type is switched off after repeated errors, or similar. */
  record StepSkipped(String runId, String path, String reason, Instant at)
      implements ScenarioRunEvent {}

  /** A {@code log_event} action wrote this line (also on the event stream). */
  record Logged(String runId, String path, String level, String message, Instant at)
      implements ScenarioRunEvent {}

  /** The run ended with {@code status}; {@code error} says why when it did not succeed. */
  record RunFinished(String runId, RunStatus status, String error, Instant at)
      implements ScenarioRunEvent {}

  /**
   * The scenario entity took note of the end. No longer written (telling a scenario of an end twice
   * changes nothing, so it is not worth a journal write); kept so that older journals replay.
   */
  record EndReported(String runId, Instant at) implements ScenarioRunEvent {}
}
