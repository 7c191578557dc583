package dev.orchestrator.component.driver.http;

import akka.actor.Cancellable;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import dev.orchestrator.component.driver.DriverException;
import dev.orchestrator.protocol.avena.AvenaEvent;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replies this node waits for, by event id: the http drivers register a request before they
 * send it, the gateway's {@code POST /event} hands every event it receives to {@link #accept}. An
 * entry leaves when its reply arrives, when its deadline passes (the waiter fails with {@link
 * DriverException.Kind#TIMEOUT}) or when it is cancelled, so the map stays bounded; beyond {@code
 * max-pending-replies} a request fails at once.
 *
 * <p>Ids given up on (timed out, cancelled, or sent without waiting, like lifecycle commands) are
 * remembered for a while, so that their late replies are told apart from replies nobody asked for.
 */
public final class ReplyRouter implements Extension {
  /** What became of an event handed to {@link #accept}. */
  public enum Outcome {
    /** It answered a request that waits for it. */
    REPLY,
    /** It answers a request that no longer waits (timed out, cancelled, or fire-and-forget). */
    LATE_REPLY,
    /** It carries a result but answers no request of this node. */
    UNKNOWN_REPLY,
    /** It is an event of the component's own: handed to the {@link ComponentEventSink}. */
    SPONTANEOUS
  }

  private static final int REMEMBERED = 10_000;

  private final ActorSystem<?> system;
  private final int maxPending;
  private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();
  private final Map<Long, Boolean> givenUp =
      Collections.synchronizedMap(
          new LinkedHashMap<>(256, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
              return size() > REMEMBERED;
            }
          });
  private volatile ComponentEventSink sink = ComponentEventSink.LOGGING;

  private record Pending(CompletableFuture<AvenaEvent> reply) {}

  private ReplyRouter(ActorSystem<?> system) {
    this.system = system;
    this.maxPending =
        system.settings().config().getInt(HttpDriverSettings.PATH + ".max-pending-replies");
  }

  public static ReplyRouter get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /**
   * Waits for the reply to event {@code id}: the future completes with it, or fails with {@link
   * DriverException.Kind#TIMEOUT} after {@code timeout} (at once when too many replies are
   * pending). Register before sending: a fast component may answer before its {@code POST} returns.
   */
  public CompletableFuture<AvenaEvent> expect(long id, Duration timeout) {
    CompletableFuture<AvenaEvent> reply = new CompletableFuture<>();
    if (pending.size() >= maxPending) {
      givenUp.put(id, Boolean.TRUE);
      reply.completeExceptionally(
          new DriverException(
              DriverException.Kind.TIMEOUT,
              "this node already waits for "
                  + maxPending
                  + " replies (orchestrator.components.http.max-pending-replies)"));
      return reply;
    }
    Pending entry = new Pending(reply);
    if (pending.putIfAbsent(id, entry) != null) {
      throw new IllegalStateException("event id " + id + " is already waiting for a reply");
    }
    Cancellable timer =
        system
            .scheduler()
            .scheduleOnce(
                timeout,
                () -> {
                  if (pending.remove(id, entry)) {
                    givenUp.put(id, Boolean.TRUE);
                    reply.completeExceptionally(
                        new DriverException(
                            DriverException.Kind.TIMEOUT,
                            "no reply to event " + id + " within " + timeout.toMillis() + " ms"));
                  }
                },
                system.executionContext());
    reply.whenComplete((ok, failure) -> timer.cancel());
    return reply;
  }

  /** Stops waiting for {@code id}: its waiter fails with {@code failure}. */
  public void cancel(long id, Throwable failure) {
    Pending entry = pending.remove(id);
    givenUp.put(id, Boolean.TRUE);
    if (entry != null) {
      entry.reply().completeExceptionally(failure);
    }
  }

  /** Event {@code id} was sent without waiting for a reply; one may still come. */
  public void sentWithoutWaiting(long id) {
    givenUp.put(id, Boolean.TRUE);
  }

  /**
   * Takes one (unbundled, valid) event from a component: completes the request it answers, or hands
   * it to the sink when it is a component's own event. Never throws.
   */
  public Outcome accept(AvenaEvent event) {
    Long id = event.id();
    if (id != null) {
      Pending entry = pending.remove(id);
      if (entry != null) {
        entry.reply().complete(event);
        return Outcome.REPLY;
      }
      if (event.isReply() && givenUp.containsKey(id)) {
        return Outcome.LATE_REPLY;
      }
    }
    if (event.isReply()) {
      return Outcome.UNKNOWN_REPLY;
    }
    sink.spontaneous(event);
    return Outcome.SPONTANEOUS;
  }

  /** Where spontaneous events go from now on; {@link ComponentEventSink#LOGGING} until set. */
  public void useSink(ComponentEventSink sink) {
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  /** How many replies this node waits for now. */
  public int pendingCount() {
    return pending.size();
  }

  private static final class Id extends ExtensionId<ReplyRouter> {
    static final Id INSTANCE = new Id();

    @Override
    public ReplyRouter createExtension(ActorSystem<?> system) {
      return new ReplyRouter(system);
    }
  }
}
