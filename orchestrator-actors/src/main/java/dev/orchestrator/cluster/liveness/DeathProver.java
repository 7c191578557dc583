package dev.orchestrator.cluster.liveness;

import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.UniqueAddress;
import akka.cluster.typed.Cluster;
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
 * <p>The sweep does not wait for "unreachable": every {@link LivenessSettings#sweepInterval()} it
 * looks up the locks of all Up members, and downs one whose lock has been free for {@link
 * LivenessSettings#sweepFreeFor()} (longer than a live node needs to retake its lock after its
 * session broke). It holds back while this node's own lock is not held or the database server
 * started less than {@link LivenessSettings#sweepServerUpFor()} ago, since a database restart frees
 * every lock for a moment.
 *
 * <p>A member proven dead is also quarantined ({@link DeadMembers}), so that the leader removes it
 * without waiting for the failure detector to call it unreachable.
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

  private enum Sweep implements Command {
    INSTANCE
  }

  private record Reachability(ClusterEvent.ReachabilityEvent event) implements Command {}

  private record Membership(ClusterEvent.MemberEvent event) implements Command {}

  private record Looked(LockProbe.Seen seen, Throwable failure) implements Command {}

  private final TimerScheduler<Command> timers;
  private final Cluster cluster;
  private final LockProbe probe;
  private final LivenessSettings settings;
  private final Executor blocking;
  private final Map<UniqueAddress, Long> unreachableSince = new HashMap<>();
  private final Set<UniqueAddress> downed = new HashSet<>();
  private final Map<UniqueAddress, Long> freeSince = new HashMap<>();
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
    if (settings.sweep()) {
      timers.startTimerWithFixedDelay(Sweep.INSTANCE, settings.sweepInterval());
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Reachability.class, this::reachability)
        .onMessage(Membership.class, this::membership)
        .onMessageEquals(Tick.INSTANCE, this::lookUp)
        .onMessageEquals(Sweep.INSTANCE, this::sweep)
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
    freeSince.remove(member);
    downed.remove(member);
    if (unreachableSince.isEmpty()) {
      timers.cancel(Tick.INSTANCE);
    }
  }

  private Behavior<Command> lookUp() {
    if (busy || unreachableSince.isEmpty() || downed.containsAll(unreachableSince.keySet())) {
      return this;
    }
    return look();
  }

  private Behavior<Command> sweep() {
    return busy ? this : look();
  }

  private Behavior<Command> look() {
    busy = true;
    getContext()
        .pipeToSelf(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return probe.look();
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
      freeSince.clear();
      warnRateLimited(looked.failure());
      return this;
    }
    Set<Long> held = looked.seen().held();
    long now = System.nanoTime();
    if (settings.sweep()) {
      sweepFound(looked.seen(), now);
    }
    for (Map.Entry<UniqueAddress, Long> entry : unreachableSince.entrySet()) {
      UniqueAddress member = entry.getKey();
      if (downed.contains(member) || held.contains(member.longUid())) {
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
      DeadMembers.downAndQuarantine(
          getContext().getSystem(), member, "proof of death: its liveness lock is free");
    }
    return this;
  }

  /** The sweep's part of a lookup: members of status Up whose locks stay free are dead. */
  private void sweepFound(LockProbe.Seen seen, long now) {
    UniqueAddress self = cluster.selfMember().uniqueAddress();
    if (!seen.held().contains(self.longUid())
        || seen.serverUp().compareTo(settings.sweepServerUpFor()) < 0) {
      freeSince.clear();
      return;
    }
    Set<UniqueAddress> up = new HashSet<>();
    for (Member m : cluster.state().getMembers()) {
      if (m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp()) {
        up.add(m.uniqueAddress());
      }
    }
    freeSince.keySet().retainAll(up);
    for (UniqueAddress member : up) {
      if (member.equals(self) || downed.contains(member)) {
        continue;
      }
      if (seen.held().contains(member.longUid())) {
        freeSince.remove(member);
        continue;
      }
      long since = freeSince.computeIfAbsent(member, m -> now);
      long freeMillis = TimeUnit.NANOSECONDS.toMillis(now - since);
      if (freeMillis >= settings.sweepFreeFor().toMillis()) {
        downed.add(member);
        getContext()
            .getLog()
            .info(
                "Proof of death: the liveness lock of {} (uid {}) has been free for {} ms; downing"
                    + " it",
                member.address(),
                member.longUid(),
                freeMillis);
        DeadMembers.downAndQuarantine(
            getContext().getSystem(), member, "proof of death: its liveness lock is free");
      }
    }
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
