package dev.orchestrator.scenario.action;

import dev.orchestrator.protocol.scenario.ScenarioRunSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * Where an action runs.
 *
 * @param runId the run
 * @param path the step, such as {@code actions[2]} or {@code actions[2].on_failure[0]}
 * @param attempt 1 for the first attempt of this step, one more for each retry after a failure; an
 *     attempt cut short by a crash is made again under the same number
 * @param reattempt true when this attempt was begun before, and cut short by a crash or a move of
 *     the run to another node: what it started may exist already
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

  /**
   * A key that is the same when an attempt is made again after a crash and differs between retries:
   * for what one attempt creates (a lifecycle run, a durable command, a nested run).
   */
  public String attemptKey() {
    return stepKey() + "#" + attempt;
  }

  /** A UUID derived from {@link #attemptKey()}, for ids that must be UUIDs. */
  public UUID attemptUuid() {
    return UUID.nameUUIDFromBytes(attemptKey().getBytes(StandardCharsets.UTF_8));
  }
}
