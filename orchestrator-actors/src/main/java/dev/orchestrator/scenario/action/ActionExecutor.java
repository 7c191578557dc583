package dev.orchestrator.scenario.action;

import dev.orchestrator.protocol.scenario.Action;
import java.util.concurrent.CompletionStage;

/**
 * Runs one kind of scenario action. The run entity renders the action's templates first, so an
 * executor sees final texts; it enforces the action's timeout itself too (an executor that ends
 * late is ignored), so an executor only stops what it started when {@link ActionContext#deadline()}
 * passes, if it can.
 *
 * <p>An executor must be safe to call again for the same step: after a crash, the step in flight is
 * attempted again ({@link ActionContext#reattempt()}). Where the target allows it, derive ids from
 * {@link ActionContext#stepKey()} so that a second attempt finds the work of the first.
 */
public interface ActionExecutor {

  /**
   * Runs {@code action}. The stage completes with what the step did, or fails: with {@link
   * ActionFailed} for an outcome a person should read as it is, with any other exception for a
   * fault (its message is shown too).
   */
  CompletionStage<ActionResult> execute(Action action, ActionContext context);
}
