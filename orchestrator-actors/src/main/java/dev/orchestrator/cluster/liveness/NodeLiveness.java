package dev.orchestrator.cluster.liveness;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.typed.Cluster;
import dev.orchestrator.Bootstrap;
import dev.orchestrator.db.DatabaseSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proof of death for a cluster-mode node. {@link #start} takes the session-level advisory lock
 * keyed by this node's cluster member uid on a connection of its own, which the node must do before
 * it joins the cluster; the lock lives as long as the process (a killed process loses its session,
 * and so its lock, at once), is taken again if the session breaks ({@link LivenessLock}) and is
 * released late in coordinated shutdown. It also starts the node's {@link DeathProver}, which downs
 * unreachable members whose lock is free.
 */
public final class NodeLiveness {
  private static final Logger log = LoggerFactory.getLogger(NodeLiveness.class);
  private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(5);

  private NodeLiveness() {}

  /** The lock key of a member: its uid, a random 64-bit number fixed for the ActorSystem. */
  public static long lockKey(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().uniqueAddress().longUid();
  }

  /**
   * Takes this node's liveness lock (blocking; fails if the database cannot be reached or the lock
   * is held by another session), records the node in {@link ClusterMembers} and starts keeping the
   * lock and proving deaths. Call before joining.
   *
   * @return the addresses of the other nodes alive now (their locks are held), oldest first
   */
  public static List<String> start(ActorSystem<?> system, DatabaseSettings db) {
    LivenessSettings settings = LivenessSettings.from(system.settings().config());
    long key = lockKey(system);
    Connection connection = take(db, settings, key);
    String self = Cluster.get(system).selfMember().address().toString();
    log.info("Liveness lock {} held for {}", key, self);
    List<String> live;
    try {
      ClusterMembers.register(
          connection,
          self,
          key,
          String.join(",", new TreeSet<>(Cluster.get(system).selfMember().getRoles())));
      live = ClusterMembers.liveOthers(connection, self, settings.queryTimeout());
    } catch (SQLException e) {
      throw new IllegalStateException("cannot record this node: " + e.getMessage(), e);
    }
    Executor blocking =
        system.dispatchers().lookup(DispatcherSelector.fromConfig(Bootstrap.BLOCKING_DISPATCHER));
    akka.cluster.Cluster.get(system.classicSystem())
        .registerOnMemberUp(
            () -> CompletableFuture.runAsync(() -> markUp(db, settings, self, key), blocking));
    ActorRef<LivenessLock.Command> lock =
        system.systemActorOf(
            LivenessLock.create(connection, key, db, settings, blocking),
            "liveness-lock",
            Props.empty());
    system.systemActorOf(
        DeathProver.create(new LockProbe(db, settings), settings, blocking),
        "death-prover",
        Props.empty());
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
            "release-liveness-lock",
            () ->
                AskPattern.<LivenessLock.Command, Done>ask(
                        lock, LivenessLock.Release::new, RELEASE_TIMEOUT, system.scheduler())
                    .exceptionally(failure -> Done.getInstance()));
    return live;
  }

  private static void markUp(
      DatabaseSettings db, LivenessSettings settings, String self, long key) {
    try (Connection connection = AdvisoryLocks.open(db, settings.connectTimeout())) {
      ClusterMembers.markUp(connection, self, key);
    } catch (SQLException e) {
      log.warn("Could not record that {} is Up: {}", self, e.getMessage());
    }
  }

  private static Connection take(DatabaseSettings db, LivenessSettings settings, long key) {
    try {
      Connection connection = AdvisoryLocks.open(db, settings.connectTimeout());
      boolean taken;
      try {
        taken = AdvisoryLocks.tryLock(connection, key);
      } catch (SQLException e) {
        connection.close();
        throw e;
      }
      if (!taken) {
        connection.close();
        throw new IllegalStateException(
            "the liveness lock " + key + " is held by another session (a uid collision?)");
      }
      return connection;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot take the liveness lock: " + e.getMessage(), e);
    }
  }
}
