package dev.orchestrator.gateway;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.pattern.StatusReply;
import dev.orchestrator.singleton.Orchestrator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Asks the orchestrator singleton through its proxy, and asks again when a try gets no answer
 * within {@code retryAfter}, until the gateway's ask timeout. After a crash the proxy sends to the
 * old singleton until the dead node is removed: such a message is lost, and a single ask would wait
 * out the whole timeout although the new singleton answers a second later. Only messages that are
 * safe to send twice go through here (a location query; an event or a manual run with an id chosen
 * once, of which the singleton starts each run once).
 */
public final class SingletonAsk {
  /** The setting, in {@code orchestrator.http}; one second when it is absent. */
  static final String RETRY_AFTER = "orchestrator.http.singleton-retry-after";

  /** A try shorter than this is not worth sending. */
  private static final Duration SHORTEST_TRY = Duration.ofMillis(50);

  private final ActorSystem<?> system;
  private final ActorRef<Orchestrator.Command> singleton;
  private final Duration timeout;
  private final Duration retryAfter;

  public SingletonAsk(
      ActorSystem<?> system, ActorRef<Orchestrator.Command> singleton, Duration timeout) {
    this.system = system;
    this.singleton = singleton;
    this.timeout = timeout;
    var config = system.settings().config();
    this.retryAfter =
        config.hasPath(RETRY_AFTER) ? config.getDuration(RETRY_AFTER) : Duration.ofSeconds(1);
  }

  /** The answer, or a {@link TimeoutException} once the ask timeout passed without one. */
  public <R> CompletionStage<R> ask(Function<ActorRef<R>, Orchestrator.Command> message) {
    return attempt(message, System.nanoTime() + timeout.toNanos());
  }

  /** As {@link #ask}, for a status reply: an error reply fails the stage and is not retried. */
  public <R> CompletionStage<R> askWithStatus(
      Function<ActorRef<StatusReply<R>>, Orchestrator.Command> message) {
    return this.<StatusReply<R>>ask(message)
        .thenApply(
            reply -> {
              if (reply.isError()) {
                throw new CompletionException(reply.getError());
              }
              return reply.getValue();
            });
  }

  private <R> CompletionStage<R> attempt(
      Function<ActorRef<R>, Orchestrator.Command> message, long deadline) {
    Duration left = Duration.ofNanos(deadline - System.nanoTime());
    Duration thisTry = left.compareTo(retryAfter) < 0 ? left : retryAfter;
    if (thisTry.compareTo(SHORTEST_TRY) < 0) {
      thisTry = SHORTEST_TRY;
    }
    return AskPattern.<Orchestrator.Command, R>ask(
            singleton, message::apply, thisTry, system.scheduler())
        .exceptionallyCompose(
            failure ->
                timedOut(failure)
                        && Duration.ofNanos(deadline - System.nanoTime()).compareTo(SHORTEST_TRY)
                            >= 0
                    ? attempt(message, deadline)
                    : CompletableFuture.failedStage(failure));
  }

  private static boolean timedOut(Throwable failure) {
    Throwable cause =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    return cause instanceof TimeoutException;
  }
}
