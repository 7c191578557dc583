package dev.orchestrator.scenario.action.cluster;

import akka.actor.typed.ActorSystem;
import akka.pattern.Patterns;
import dev.orchestrator.scenario.action.ActionContext;
import dev.orchestrator.scenario.action.ActionFailed;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Looks again and again until something is found or a deadline passes, on the actor system's
 * scheduler: no thread waits in between. The pauses grow: {@link #FIRST_PAUSE}, doubling up to the
 * interval, so that what is done quickly is seen quickly; after {@link #PATIENCE} of waiting they
 * grow on to {@link #SLOW_FACTOR} times the interval, so that many long waits (runs waiting for a
 * state for hours) cost little.
 */
final class Polling {
  static final Duration FIRST_PAUSE = Duration.ofMillis(20);
  static final Duration PATIENCE = Duration.ofSeconds(10);
  static final int SLOW_FACTOR = 4;

  private final ActorSystem<?> system;
  private final Duration interval;

  Polling(ActorSystem<?> system, Duration interval) {
    this.system = system;
    this.interval = interval;
  }

  /**
   * Calls {@code look} at once and then after growing pauses (see above), until the context's
   * deadline, or until its step is abandoned (the run was cancelled or the step timed out). A look
   * that yields a value ends the wait with it; one that fails with {@link ActionFailed} ends it
   * with that failure; any other failure (an ask that timed out while a shard moves) counts as "not
   * yet". When {@code deadline} passes first, the stage fails with what {@code onDeadline} makes of
   * the last look's failure (null when the last look answered).
   */
  <T> CompletionStage<T> until(
      ActionContext context,
      Supplier<CompletionStage<Optional<T>>> look,
      Function<Throwable, RuntimeException> onDeadline) {
    CompletableFuture<T> result = new CompletableFuture<>();
    // A cancelled or timed-out step is given up by its run: stop looking at once.
    context
        .abandoned()
        .thenRun(() -> result.completeExceptionally(new ActionFailed("the step was abandoned")));
    attempt(context.deadline(), look, onDeadline, result, Instant.now(), FIRST_PAUSE);
    return result;
  }

  /** The pause after {@code pause}, {@code waited} into the wait. */
  private Duration next(Duration pause, Duration waited) {
    Duration cap = waited.compareTo(PATIENCE) < 0 ? interval : interval.multipliedBy(SLOW_FACTOR);
    Duration doubled = pause.multipliedBy(2);
    return doubled.compareTo(cap) < 0 ? doubled : cap;
  }

  private <T> void attempt(
      Instant deadline,
      Supplier<CompletionStage<Optional<T>>> look,
      Function<Throwable, RuntimeException> onDeadline,
      CompletableFuture<T> result,
      Instant began,
      Duration pause) {
    if (result.isDone()) {
      return;
    }
    CompletionStage<Optional<T>> seen;
    try {
      seen = look.get();
    } catch (RuntimeException e) {
      seen = CompletableFuture.failedFuture(e);
    }
    seen.whenComplete(
        (found, failure) -> {
          Throwable cause = failure == null ? null : Failures.unwrap(failure);
          if (cause == null && found.isPresent()) {
            result.complete(found.get());
            return;
          }
          if (cause instanceof ActionFailed) {
            result.completeExceptionally(cause);
            return;
          }
          Duration left = Duration.between(Instant.now(), deadline);
          if (left.isNegative() || left.isZero()) {
            result.completeExceptionally(onDeadline.apply(cause));
            return;
          }
          try {
            Patterns.after(
                left.compareTo(pause) < 0 ? left : pause,
                system,
                () -> {
                  attempt(
                      deadline,
                      look,
                      onDeadline,
                      result,
                      began,
                      next(pause, Duration.between(began, Instant.now())));
                  return CompletableFuture.completedFuture(null);
                });
          } catch (IllegalStateException shuttingDown) {
            // The scheduler is closed: the node is stopping, and the run goes on elsewhere.
            result.completeExceptionally(shuttingDown);
          }
        });
  }
}
