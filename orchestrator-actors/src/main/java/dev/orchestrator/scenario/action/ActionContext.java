package dev.orchestrator.scenario.action;

import dev.orchestrator.protocol.scenario.ScenarioRunSpec;
import java.time.Instant;

/**
 * Where an action runs.
 *
 * @param runId the run
 * @param path the step, such as {@code actions[2]} or {@code actions[2].on_failure[0]}
 * @param attempt 1 for the first attempt of this step
 * @param reattempt true when the previous attempt was cut short by a crash
 * @param spec the run's definition, trigger and nesting
 * @param deadline when the attempt times out
 */
public record ActionContext(
    String runId,
    String path,
    int attempt,
    boolean reattempt,
    ScenarioRunSpec spec,
    Instant deadline) {

  /**
   * A key that is the same for every attempt of this step of this run: for idempotency keys and
   * derived ids.
   */
  public String stepKey() {
    return runId + "/" + path;
  }
}
