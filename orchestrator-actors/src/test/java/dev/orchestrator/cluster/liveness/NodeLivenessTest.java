package dev.orchestrator.cluster.liveness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.CoordinatedShutdown;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.db.Database;
import dev.orchestrator.db.DatabaseSettings;
import dev.orchestrator.db.EmbeddedDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NodeLiveness} on a real PostgreSQL: the node's lock is held once start returns, is taken
 * again on a new session after its session was killed, and is free after coordinated shutdown.
 */
class NodeLivenessTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir static Path tempDir;
  private static EmbeddedDatabase server;
  private static DatabaseSettings db;

  @BeforeAll
  static void startServer() throws Exception {
    server = EmbeddedDatabase.start(tempDir.resolve("pg"));
    db = new DatabaseSettings(server.jdbcUrl(), server.user(), server.password(), 2, TIMEOUT);
    try (Database database = Database.connect(db)) {
      database.migrate();
    }
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Test
  void holdsItsLockRetakesItAfterTheSessionDiesAndFreesItAtShutdown() throws Exception {
    Config config =
        ConfigFactory.parseString(
                "akka.actor.provider = cluster\n"
                    + "akka.remote.artery.canonical.port = 0\n"
                    + "akka.remote.artery.canonical.hostname = 127.0.0.1\n"
                    + "orchestrator.liveness.lock-check-interval = 200ms\n")
            .withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "liveness", config);
    try (Connection observer = AdvisoryLocks.open(db, TIMEOUT)) {
      TestProbe<Void> probe = TestProbe.create(system);
      String self = akka.cluster.typed.Cluster.get(system).selfMember().address().toString();
      String other = "akka://orchestrator@127.0.0.1:1";
      ClusterMembers.register(observer, other, 42L, "worker");
      ClusterMembers.markUp(observer, other, 42L);
      assertTrue(AdvisoryLocks.tryLock(observer, 42L), "the other node's lock");
      // A live node that is only starting (not Up yet) does not count.
      ClusterMembers.register(observer, "akka://orchestrator@127.0.0.1:3", 43L, "worker");
      assertTrue(AdvisoryLocks.tryLock(observer, 43L), "the starting node's lock");
      List<String> live = NodeLiveness.start(system, db);
      long key = NodeLiveness.lockKey(system);
      assertTrue(AdvisoryLocks.held(observer, key, TIMEOUT), "held after start");
      assertEquals(List.of(other), live, "the other live node, not this one");
      assertEquals(
          List.of(other, "akka://orchestrator@127.0.0.1:2", self),
          ClusterMembers.seeds(List.of(self, "akka://orchestrator@127.0.0.1:2"), live, self),
          "this node last when another lives");
      assertEquals(
          List.of(self, "akka://orchestrator@127.0.0.1:2"),
          ClusterMembers.seeds(List.of(self, "akka://orchestrator@127.0.0.1:2"), List.of(), self),
          "the configured order when no other node lives");
      assertEquals(
          List.of(),
          ClusterMembers.liveOthers(observer, other, TIMEOUT).stream()
              .filter(a -> !a.equals(self))
              .toList(),
          "only this node besides the observer's");
      try (PreparedStatement s = observer.prepareStatement("SELECT pg_advisory_unlock(42)")) {
        s.execute();
      }
      assertEquals(List.of(), ClusterMembers.liveOthers(observer, self, TIMEOUT), "42 released");

      int first = holderPid(observer, key);
      try (PreparedStatement s = observer.prepareStatement("SELECT pg_terminate_backend(?)")) {
        s.setInt(1, first);
        s.execute();
      }
      probe.awaitAssert(
          DEADLINE,
          () -> {
            int again = holderPid(observer, key);
            assertNotEquals(-1, again, "taken again");
            assertNotEquals(first, again, "taken again by a new session");
            return again;
          });

      CoordinatedShutdown.get(system)
          .runAll(CoordinatedShutdown.unknownReason())
          .toCompletableFuture()
          .get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      probe.awaitAssert(
          DEADLINE,
          () -> {
            assertFalse(held(observer, key), "free after shutdown");
            return null;
          });
    } finally {
      ActorTestKit.shutdown(system);
    }
  }

  private static boolean held(Connection observer, long key) {
    return holderPid(observer, key) != -1;
  }

  /** The backend pid of the session holding lock {@code key}, -1 if none. */
  private static int holderPid(Connection observer, long key) {
    try {
      return LockHolders.pid(observer, key);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
