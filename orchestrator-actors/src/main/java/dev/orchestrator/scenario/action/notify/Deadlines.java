package dev.orchestrator.scenario.action.notify;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** The time an action has left, and how it reads in a message. */
final class Deadlines {
  /** Longer waits are cut to this; a deadline far away is no reason to hold a socket for ever. */
  static final Duration MAX_WAIT = Duration.ofHours(1);

  private Deadlines() {}

  /**
   * The time from now until {@code deadline}, at most {@link #MAX_WAIT}; zero or less when past.
   */
  static Duration left(Instant deadline) {
    Duration left = Duration.between(Instant.now(), deadline);
    return left.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : left;
  }

  /**
   * {@code 500ms}, {@code 5s}, {@code 2.5s}: rounded, as the time left is measured a little after
   * the deadline was set.
   */
  static String text(Duration duration) {
    long millis = duration.toMillis();
    if (millis < 100) {
      return millis + "ms";
    }
    if (millis < 995) {
      return Math.round(millis / 10.0) * 10 + "ms";
    }
    long tenths = Math.round(millis / 100.0);
    return tenths % 10 == 0
        ? tenths / 10 + "s"
        : String.format(Locale.ROOT, "%d.%ds", tenths / 10, tenths % 10);
  }

  /**
   * {@code stage}, or the failure {@code timedOut} gives once {@code left} has passed. What {@code
   * stage} stands for goes on; it is up to its own timeouts to end it.
   */
  static <T> CompletableFuture<T> within(
      CompletableFuture<T> stage, Duration left, Supplier<? extends Throwable> timedOut) {
    CompletableFuture<T> result = new CompletableFuture<>();
    stage
        .copy()
        .orTimeout(Math.max(1, left.toMillis()), TimeUnit.MILLISECONDS)
        .whenComplete(
            (value, error) -> {
              Throwable e = error instanceof CompletionException ? error.getCause() : error;
              if (e == null) {
                result.complete(value);
              } else if (e instanceof TimeoutException) {
                result.completeExceptionally(timedOut.get());
              } else {
                result.completeExceptionally(e);
              }
            });
    return result;
  }
}
