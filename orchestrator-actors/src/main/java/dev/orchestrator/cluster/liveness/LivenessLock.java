package dev.orchestrator.cluster.liveness;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import dev.orchestrator.db.DatabaseSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Keeps this node's liveness lock (taken by {@link NodeLiveness} before the node joined) for the
 * life of the ActorSystem: checks its session every {@link LivenessSettings#lockCheckInterval()};
 * when the session is gone (database restarted, connection cut) logs an error and takes the lock
 * again on a new connection, with a backoff, until it holds it. While it does not, survivors may
 * take this node for dead if it also becomes unreachable (see docs/failover.md).
 */
final class LivenessLock extends AbstractBehavior<LivenessLock.Command> {
  interface Command {}

  /** Closes the session (so the lock is free at once) and stops checking. */
  record Release(ActorRef<Done> replyTo) implements Command {}

  private enum Check implements Command {
    INSTANCE
  }

  private enum Retake implements Command {
    INSTANCE
  }

  private record Checked(boolean alive, String problem) implements Command {}

  private record Retaken(Connection connection, String problem) implements Command {}

  private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final TimerScheduler<Command> timers;
  private final DatabaseSettings db;
  private final LivenessSettings settings;
  private final long key;
  private final Executor blocking;
  private Connection connection;
  private boolean busy;
  private Duration backoff = FIRST_BACKOFF;

  static Behavior<Command> create(
      Connection held,
      long key,
      DatabaseSettings db,
      LivenessSettings settings,
      Executor blocking) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new LivenessLock(context, timers, held, key, db, settings, blocking)));
  }

  private LivenessLock(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      Connection held,
      long key,
      DatabaseSettings db,
      LivenessSettings settings,
      Executor blocking) {
    super(context);
    context.setLoggerName(LivenessLock.class);
    this.timers = timers;
    this.connection = held;
    this.key = key;
    this.db = db;
    this.settings = settings;
    this.blocking = blocking;
    timers.startTimerWithFixedDelay(Check.INSTANCE, settings.lockCheckInterval());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Check.INSTANCE, this::check)
        .onMessage(Checked.class, this::checked)
        .onMessageEquals(Retake.INSTANCE, this::retake)
        .onMessage(Retaken.class, this::retaken)
        .onMessage(Release.class, this::release)
        .onSignal(PostStop.class, stop -> closeQuietly())
        .build();
  }

  private Behavior<Command> check() {
    if (busy || connection == null) {
      return this;
    }
    busy = true;
    Connection c = connection;
    Duration timeout = settings.queryTimeout();
    getContext()
        .pipeToSelf(
            CompletableFuture.supplyAsync(() -> isValid(c, timeout), blocking),
            (alive, failure) ->
                new Checked(
                    failure == null && alive, failure == null ? "not valid" : failure.toString()));
    return this;
  }

  private Behavior<Command> checked(Checked checked) {
    busy = false;
    if (checked.alive() || connection == null) {
      return this;
    }
    getContext()
        .getLog()
        .error(
            "Lost the liveness lock {} ({}): other nodes may take this node for dead while it"
                + " is unreachable; taking it again",
            key,
            checked.problem());
    closeQuietly();
    timers.cancel(Check.INSTANCE);
    backoff = FIRST_BACKOFF;
    timers.startSingleTimer(Retake.INSTANCE, Duration.ZERO);
    return this;
  }

  private Behavior<Command> retake() {
    busy = true;
    getContext()
        .pipeToSelf(
            CompletableFuture.supplyAsync(this::openAndLock, blocking),
            (c, failure) -> new Retaken(c, failure == null ? null : rootMessage(failure)));
    return this;
  }

  private Connection openAndLock() {
    try {
      Connection c = AdvisoryLocks.open(db, settings.connectTimeout());
      try {
        if (AdvisoryLocks.tryLock(c, key)) {
          return c;
        }
        c.close();
        throw new IllegalStateException("still held by the previous session");
      } catch (SQLException | RuntimeException e) {
        c.close();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private Behavior<Command> retaken(Retaken retaken) {
    busy = false;
    if (retaken.connection() != null) {
      connection = retaken.connection();
      getContext().getLog().info("Liveness lock {} taken again", key);
      timers.startTimerWithFixedDelay(Check.INSTANCE, settings.lockCheckInterval());
      return this;
    }
    getContext()
        .getLog()
        .error(
            "Cannot take the liveness lock {} again ({}); next try in {} ms",
            key,
            retaken.problem(),
            backoff.toMillis());
    timers.startSingleTimer(Retake.INSTANCE, backoff);
    backoff =
        backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    return this;
  }

  private Behavior<Command> release(Release release) {
    timers.cancelAll();
    closeQuietly();
    release.replyTo().tell(Done.getInstance());
    return Behaviors.stopped();
  }

  private Behavior<Command> closeQuietly() {
    Connection c = connection;
    connection = null;
    if (c != null) {
      try {
        c.close();
      } catch (SQLException e) {
        getContext().getLog().debug("Closing the liveness lock connection: {}", e.getMessage());
      }
    }
    return this;
  }

  private static boolean isValid(Connection c, Duration timeout) {
    try {
      return c.isValid((int) Math.max(1, timeout.toSeconds()));
    } catch (SQLException e) {
      return false;
    }
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
