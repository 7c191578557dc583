package dev.orchestrator.scenario.action.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import dev.orchestrator.scenario.action.ActionContext;
import dev.orchestrator.scenario.action.ActionFailed;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Polling: found, abandoned by its run, out of time; and the pauses that grow. */
class PollingTest {
  private static final ActorTestKit kit = ActorTestKit.create("polling");
  private static final Polling polling = new Polling(kit.system(), Duration.ofMillis(100));

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static ActionContext context(Duration left, CompletableFuture<Void> abandoned) {
    return new ActionContext(
        "r", "actions[0]", 1, false, null, Instant.now().plus(left), abandoned);
  }

  @Test
  void aLookThatFindsEndsTheWait() throws Exception {
    AtomicInteger looks = new AtomicInteger();
    CompletionStage<String> found =
        polling.until(
            context(Duration.ofSeconds(10), new CompletableFuture<>()),
            () ->
                CompletableFuture.completedFuture(
                    looks.incrementAndGet() == 3 ? Optional.of("there") : Optional.empty()),
            failure -> new ActionFailed("late"));
    assertEquals("there", found.toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertEquals(3, looks.get());
  }

  @Test
  void anAbandonedStepStopsLooking() throws Exception {
    CompletableFuture<Void> abandoned = new CompletableFuture<>();
    AtomicInteger looks = new AtomicInteger();
    CompletableFuture<Object> waiting =
        polling
            .<Object>until(
                context(Duration.ofHours(1), abandoned),
                () -> {
                  looks.incrementAndGet();
                  return CompletableFuture.completedFuture(Optional.empty());
                },
                failure -> new ActionFailed("late"))
            .toCompletableFuture();
    abandoned.complete(null);
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("abandoned"), e::toString);
    int after = looks.get();
    // No look starts once abandoned: wait past several pauses on the scheduler and count again.
    CompletableFuture<Void> later = new CompletableFuture<>();
    kit.system()
        .scheduler()
        .scheduleOnce(
            Duration.ofMillis(500), () -> later.complete(null), kit.system().executionContext());
    later.get(5, TimeUnit.SECONDS);
    assertEquals(after, looks.get());
  }

  @Test
  void aWaitOutOfTimeFailsWithWhatTheDeadlineMakesOfIt() {
    CompletableFuture<Object> waiting =
        polling
            .<Object>until(
                context(Duration.ofMillis(150), new CompletableFuture<>()),
                () -> CompletableFuture.completedFuture(Optional.empty()),
                failure -> new ActionFailed("timed out"))
            .toCompletableFuture();
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
    assertEquals("timed out", e.getCause().getMessage());
  }
}
