package dev.orchestrator.scenario.action.notify;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import dev.orchestrator.scenario.action.ActionContext;
import dev.orchestrator.scenario.action.ActionFailed;
import dev.orchestrator.scenario.action.ActionResult;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Contexts for the executors, and waiting for what they answer. */
final class Outcomes {
  private Outcomes() {}

  /** The first attempt of step {@code actions[0]} of run {@code run-1}, due in {@code timeout}. */
  static ActionContext due(Duration timeout) {
    return new ActionContext("run-1", "actions[0]", 1, false, null, Instant.now().plus(timeout));
  }

  static ActionContext dueIn5s() {
    return due(Duration.ofSeconds(5));
  }

  static ActionResult result(CompletionStage<ActionResult> stage) throws Exception {
    return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** The {@link ActionFailed} the stage ends with; fails the test when it succeeds. */
  static ActionFailed failure(CompletionStage<ActionResult> stage) throws Exception {
    try {
      ActionResult result = stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
      return fail("expected a failure, got " + result);
    } catch (ExecutionException e) {
      return assertInstanceOf(ActionFailed.class, e.getCause(), "failed with ActionFailed");
    } catch (TimeoutException e) {
      return fail("the action neither succeeded nor failed within 20s");
    }
  }
}
