package dev.orchestrator.cluster.liveness;

import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.ClusterEvent;
import akka.cluster.UniqueAddress;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import akka.cluster.typed.Subscribe;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Downs an unreachable member at once when PostgreSQL proves it dead: every cluster-mode node holds
 * the advisory lock keyed by its member uid for as long as its process lives ({@link
 * NodeLiveness}), so a free lock means the process is gone. While a member stays unreachable its
 * lock is looked up every {@link LivenessSettings#probeInterval()} (a killed process's session may
 * take a moment to close). A held lock (a paused process, a partition) or a database that does not
 * answer changes nothing: the split brain resolver decides as before.
 *
 * <p>Every node runs one, and each downs the members it learns are unreachable; a Down is
 * idempotent, and asking every node (rather than only the leader or the oldest) means the dead
 * member's own role in the cluster never delays its downing.
 */
public final class DeathProver extends AbstractBehavior<DeathProver.Command> {
  /** Messages of the prover (all internal). */
  public interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Reachability(ClusterEvent.ReachabilityEvent event) implements Command {}

  private record Membership(ClusterEvent.MemberEvent event) implements Command {}

  private record Looked(Set<Long> held, Throwable failure) implements Command {}

  private final TimerScheduler<Command> timers;
  private final Cluster cluster;
  private final LockProbe probe;
  private final LivenessSettings settings;
  private final Executor blocking;
  private final Map<UniqueAddress, Long> unreachableSince = new HashMap<>();
  private final Set<UniqueAddress> downed = new HashSet<>();
  private boolean busy;
  private long lastWarn = System.nanoTime() - TimeUnit.DAYS.toNanos(1);

  static Behavior<Command> create(LockProbe probe, LivenessSettings settings, Executor blocking) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new DeathProver(context, timers, probe, settings, blocking)));
  }

  private DeathProver(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      LockProbe probe,
      LivenessSettings settings,
      Executor blocking) {
    super(context);
    context.setLoggerName(DeathProver.class);
    this.timers = timers;
    this.cluster = Cluster.get(context.getSystem());
    this.probe = probe;
    this.settings = settings;
    this.blocking = blocking;
    cluster
        .subscriptions()
        .tell(
            Subscribe.create(
                context.messageAdapter(ClusterEvent.ReachabilityEvent.class, Reachability::new),
                ClusterEvent.ReachabilityEvent.class));
    cluster
        .subscriptions()
        .tell(
            Subscribe.create(
                context.messageAdapter(ClusterEvent.MemberEvent.class, Membership::new),
                ClusterEvent.MemberEvent.class));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Reachability.class, this::reachability)
        .onMessage(Membership.class, this::membership)
        .onMessageEquals(Tick.INSTANCE, this::lookUp)
        .onMessage(Looked.class, this::looked)
        .onSignal(PostStop.class, stop -> closeProbe())
        .build();
  }

  private Behavior<Command> reachability(Reachability message) {
    UniqueAddress member = message.event().member().uniqueAddress();
    if (message.event() instanceof ClusterEvent.UnreachableMember) {
      if (!member.equals(cluster.selfMember().uniqueAddress())) {
        unreachableSince.putIfAbsent(member, System.nanoTime());
        if (!timers.isTimerActive(Tick.INSTANCE)) {
          timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.probeInterval());
        }
        return lookUp();
      }
    } else {
      forget(member);
    }
    return this;
  }

  private Behavior<Command> membership(Membership message) {
    if (message.event() instanceof ClusterEvent.MemberRemoved
        || message.event() instanceof ClusterEvent.MemberDowned) {
      forget(message.event().member().uniqueAddress());
    }
    return this;
  }

  private void forget(UniqueAddress member) {
    unreachableSince.remove(member);
    downed.remove(member);
    if (unreachableSince.isEmpty()) {
      timers.cancel(Tick.INSTANCE);
    }
  }

  private Behavior<Command> lookUp() {
    if (busy || unreachableSince.isEmpty() || downed.containsAll(unreachableSince.keySet())) {
      return this;
    }
    busy = true;
    getContext()
        .pipeToSelf(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return probe.heldKeys();
                  } catch (java.sql.SQLException e) {
                    throw new CompletionException(e);
                  }
                },
                blocking),
            Looked::new);
    return this;
  }

  private Behavior<Command> looked(Looked looked) {
    busy = false;
    if (looked.failure() != null) {
      warnRateLimited(looked.failure());
      return this;
    }
    long now = System.nanoTime();
    for (Map.Entry<UniqueAddress, Long> entry : unreachableSince.entrySet()) {
      UniqueAddress member = entry.getKey();
      if (downed.contains(member) || looked.held().contains(member.longUid())) {
        continue;
      }
      downed.add(member);
      getContext()
          .getLog()
          .info(
              "Proof of death: {} (uid {}) is unreachable and its liveness lock is free; downing"
                  + " it {} ms after it was seen unreachable",
              member.address(),
              member.longUid(),
              TimeUnit.NANOSECONDS.toMillis(now - entry.getValue()));
      cluster.manager().tell(new Down(member.address()));
    }
    return this;
  }

  private void warnRateLimited(Throwable failure) {
    long now = System.nanoTime();
    if (now - lastWarn >= settings.warnEvery().toNanos()) {
      lastWarn = now;
      Throwable cause = failure instanceof CompletionException ? failure.getCause() : failure;
      getContext()
          .getLog()
          .warn(
              "Cannot look up the liveness locks of unreachable members {} ({}); leaving them to"
                  + " the split brain resolver",
              unreachableSince.keySet(),
              cause == null ? failure.toString() : cause.toString());
    }
  }

  private Behavior<Command> closeProbe() {
    CompletableFuture.runAsync(probe::close, blocking);
    return this;
  }
}
