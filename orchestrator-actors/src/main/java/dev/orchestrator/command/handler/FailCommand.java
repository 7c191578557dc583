package dev.orchestrator.command.handler;

import dev.orchestrator.command.spi.CommandContext;
import dev.orchestrator.command.spi.CommandHandler;
import dev.orchestrator.command.spi.PermanentFailure;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code fail}: {@code {"times": t, "message": "..."}} fails attempts 1 to t (t defaults to 1; 0
 * never fails), then succeeds with {@code {"attempt": n}}. For trying out retries and {@code
 * onFailure}.
 */
public final class FailCommand implements CommandHandler<FailCommand.Input, FailCommand.Output> {

  /**
   * @param times how many attempts fail, from 0; 1 when missing
   * @param message the failure's message instead of "failing attempt N of T on purpose"
   */
  public record Input(Integer times, String message) {}

  /**
   * @param attempt the attempt that succeeded
   */
  public record Output(int attempt) {}

  /** The failure this handler produces on purpose: an ordinary, retryable one. */
  public static final class IntendedFailure extends RuntimeException {
    public IntendedFailure(String message) {
      super(message);
    }
  }

  @Override
  public Class<Input> inputType() {
    return Input.class;
  }

  @Override
  public CompletionStage<Output> handle(Input input, CommandContext context) {
    int times = input == null || input.times() == null ? 1 : input.times();
    if (times < 0) {
      return CompletableFuture.failedFuture(
          new PermanentFailure("fail times must be 0 or more, not " + times));
    }
    int attempt = context.attempt();
    if (attempt <= times) {
      String message =
          input != null && input.message() != null
              ? input.message()
              : "failing attempt " + attempt + " of " + times + " on purpose";
      return CompletableFuture.failedFuture(new IntendedFailure(message));
    }
    return CompletableFuture.completedFuture(new Output(attempt));
  }
}
