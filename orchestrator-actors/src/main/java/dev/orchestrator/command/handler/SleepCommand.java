package dev.orchestrator.command.handler;

import dev.orchestrator.command.spi.CommandContext;
import dev.orchestrator.command.spi.CommandHandler;
import dev.orchestrator.command.spi.PermanentFailure;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code sleep}: {@code {"millis": n}} completes after n milliseconds (0 to 24h) with {@code
 * {"sleptMillis": n}}, without holding a thread; ends at once with a {@link CancellationException}
 * when the attempt is cancelled or times out.
 */
public final class SleepCommand implements CommandHandler<SleepCommand.Input, SleepCommand.Output> {

  public static final long MAX_MILLIS = 86_400_000L;

  /**
   * @param millis how long to sleep, 0 to 86,400,000 (24h); required
   */
  public record Input(Long millis) {}

  /**
   * @param sleptMillis the time asked for
   */
  public record Output(long sleptMillis) {}

  @Override
  public Class<Input> inputType() {
    return Input.class;
  }

  @Override
  public CompletionStage<Output> handle(Input input, CommandContext context) {
    if (input == null || input.millis() == null) {
      return CompletableFuture.failedFuture(
          new PermanentFailure("sleep needs {\"millis\": n} with n from 0 to " + MAX_MILLIS));
    }
    long millis = input.millis();
    if (millis < 0 || millis > MAX_MILLIS) {
      return CompletableFuture.failedFuture(
          new PermanentFailure(
              "sleep millis must be from 0 to " + MAX_MILLIS + " (24h), not " + millis));
    }
    if (context.isCancelled()) {
      return CompletableFuture.failedFuture(
          new CancellationException("sleep cancelled before it started"));
    }
    CompletableFuture<Output> result = new CompletableFuture<>();
    long started = System.nanoTime();
    ScheduledFuture<?> timer =
        Timers.schedule(() -> result.complete(new Output(millis)), millis, TimeUnit.MILLISECONDS);
    context
        .cancelled()
        .whenComplete(
            (ignored, error) -> {
              long slept = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
              if (result.completeExceptionally(
                  new CancellationException(
                      "sleep cancelled after " + slept + " of " + millis + " ms"))) {
                timer.cancel(false);
              }
            });
    return result;
  }
}
