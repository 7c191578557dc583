package dev.orchestrator.cluster.liveness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.db.Database;
import dev.orchestrator.db.DatabaseSettings;
import dev.orchestrator.db.EmbeddedDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep of {@link DeathProver}: a member that is reachable (its heartbeats arrive) but whose
 * liveness lock is free and stays free is downed by the others; nothing else in this cluster could
 * down it (no split brain resolver, and it never becomes unreachable).
 */
class DeathProverSweepTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);
  private static final Duration DEADLINE = Duration.ofSeconds(30);

  @TempDir static Path tempDir;
  private static EmbeddedDatabase server;
  private static DatabaseSettings db;
  private final List<ActorSystem<Void>> systems = new ArrayList<>();

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

  @AfterEach
  void stopSystems() {
    systems.forEach(ActorTestKit::shutdown);
  }

  @Test
  void aMemberWhoseLockStaysFreeIsDownedWithoutBeingUnreachable() throws Exception {
    ActorSystem<Void> a = node("a", "1s");
    // B checks its own lock only once an hour: once its session is gone, its lock stays free.
    ActorSystem<Void> b = node("b", "1h");
    NodeLiveness.start(a, db);
    Cluster.get(a).manager().tell(Join.create(Cluster.get(a).selfMember().address()));
    NodeLiveness.start(b, db);
    Cluster.get(b).manager().tell(Join.create(Cluster.get(a).selfMember().address()));
    TestProbe<Void> probe = TestProbe.create(a);
    Member bMember = Cluster.get(b).selfMember();
    probe.awaitAssert(
        DEADLINE,
        () -> {
          assertEquals(2, upMembers(a), "both Up");
          return null;
        });

    try (Connection observer = AdvisoryLocks.open(db, TIMEOUT)) {
      long key = bMember.uniqueAddress().longUid();
      int holder = LockHolders.pid(observer, key);
      assertNotEquals(-1, holder, "B holds its lock");
      try (PreparedStatement s = observer.prepareStatement("SELECT pg_terminate_backend(?)")) {
        s.setInt(1, holder);
        s.execute();
      }
    }
    probe.awaitAssert(
        DEADLINE,
        () -> {
          MemberStatus status = statusOf(a, bMember);
          assertTrue(
              status == null || status == MemberStatus.down() || status == MemberStatus.removed(),
              "B downed by A's sweep, is " + status);
          return null;
        });
  }

  private ActorSystem<Void> node(String name, String lockCheck) {
    Config config =
        ConfigFactory.parseString(
                "akka.actor.provider = cluster\n"
                    + "akka.remote.artery.canonical.port = 0\n"
                    + "akka.remote.artery.canonical.hostname = 127.0.0.1\n"
                    + "orchestrator.liveness.lock-check-interval = "
                    + lockCheck
                    + "\n"
                    + "orchestrator.liveness.sweep-interval = 200ms\n"
                    + "orchestrator.liveness.sweep-free-for = 600ms\n"
                    + "orchestrator.liveness.sweep-server-up-for = 1ms\n")
            .withFallback(ConfigFactory.load());
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "sweep", config);
    systems.add(system);
    return system;
  }

  private static int upMembers(ActorSystem<?> system) {
    int up = 0;
    for (Member m : Cluster.get(system).state().getMembers()) {
      up += m.status() == MemberStatus.up() ? 1 : 0;
    }
    return up;
  }

  private static MemberStatus statusOf(ActorSystem<?> system, Member member) {
    for (Member m : Cluster.get(system).state().getMembers()) {
      if (m.uniqueAddress().equals(member.uniqueAddress())) {
        return m.status();
      }
    }
    return null;
  }
}
