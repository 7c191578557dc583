package dev.orchestrator.command.handler;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/** Waiting for handler results, with bounds. */
final class Outcomes {
  private Outcomes() {}

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * The exception the stage failed with, unwrapped, within the seconds given (a stage failed with a
   * CancellationException counts as cancelled, so get() would throw it instead of wrapping it).
   */
  static Throwable failure(CompletionStage<?> stage, long seconds) {
    Throwable error;
    try {
      error = stage.toCompletableFuture().handle((value, e) -> e).get(seconds, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("no outcome within " + seconds + " s", e);
    }
    while (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    assertNotNull(error, "succeeded instead of failing");
    return error;
  }

  static Throwable failure(CompletionStage<?> stage) {
    return failure(stage, 10);
  }
}
