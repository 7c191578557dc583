package dev.orchestrator.scenario.action;

import dev.orchestrator.protocol.scenario.ScenarioRunSpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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
 * @param abandoned completes when the run gives the attempt up (the run was cancelled, or the
 *     attempt timed out): an executor that waits or polls should stop then
 */
public record ActionContext(
    String runId,
    String path,
    int attempt,
    boolean reattempt,
    ScenarioRunSpec spec,
    Instant deadline,
    CompletionStage<Void> abandoned) {

  /** A context whose attempt is never abandoned before its deadline. */
  public ActionContext(
      String runId,
      String path,
      int attempt,
      boolean reattempt,
      ScenarioRunSpec spec,
      Instant deadline) {
    this(runId, path, attempt, reattempt, spec, deadline, new CompletableFuture<>());
  }

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
