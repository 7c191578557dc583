package dev.orchestrator.cluster.liveness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
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

  /**
   * A member whose peer was removed leaves through coordinated shutdown's cluster phases, which may
   * each wait out their own timeout: the testkit's default 10 s was seen to run out on a busy
   * 2-core machine (the assertions had passed).
   */
  @AfterEach
  void stopSystems() {
    systems.forEach(system -> ActorTestKit.shutdown(system, Duration.ofSeconds(30)));
  }

  /**
   * Both nodes take their liveness locks and form a cluster; once both are Up, B's lock session is
   * ended from the database side (B's process lives on). Returns B's member.
   */
  private Member joinThenEndLockSession(
      ActorSystem<Void> a, ActorSystem<Void> b, TestProbe<Void> probe) throws Exception {
    NodeLiveness.start(a, db);
    Cluster.get(a).manager().tell(Join.create(Cluster.get(a).selfMember().address()));
    NodeLiveness.start(b, db);
    Cluster.get(b).manager().tell(Join.create(Cluster.get(a).selfMember().address()));
    Member bMember = Cluster.get(b).selfMember();
    probe.awaitAssert(
        DEADLINE,
        () -> {
          assertEquals(2, upMembers(a), "both Up");
          return null;
        });
    terminateLockSession(bMember);
    return bMember;
  }

  @Test
  void aMemberWhoseLockStaysFreeIsDownedWithoutBeingUnreachable() throws Exception {
    ActorSystem<Void> a = node("a", "1s");
    // B checks its own lock only once an hour: once its session is gone, its lock stays free.
    ActorSystem<Void> b = node("b", "1h");
    TestProbe<Void> probe = TestProbe.create(a);
    Member bMember = joinThenEndLockSession(a, b, probe);
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

  /**
   * A member proven dead is removed although the failure detector never calls it unreachable (its
   * heartbeat pause is an hour here, and B stays up and answers heartbeats: only its lock's session
   * is gone, and it does not shut itself down when downed). The prover quarantines what it proves
   * dead, and the leader removes a Down, terminated member at once; without the quarantine B would
   * stay Down for ever. (B is not stopped instead: an ActorSystem that terminates tells its peers,
   * which then quarantine it "harmlessly", a case a killed process never produces.)
   */
  @Test
  void aMemberProvenDeadIsRemovedWithoutTheFailureDetector() throws Exception {
    String patient = "akka.cluster.failure-detector.acceptable-heartbeat-pause = 1h\n";
    ActorSystem<Void> a = node("a", "1s", patient);
    ActorSystem<Void> b =
        node("b", "1h", patient + "akka.cluster.run-coordinated-shutdown-when-down = off\n");
    TestProbe<Void> probe = TestProbe.create(a);
    Member bMember = joinThenEndLockSession(a, b, probe);
    probe.awaitAssert(
        DEADLINE,
        () -> {
          assertNull(statusOf(a, bMember), "B removed from A's membership");
          return null;
        });
  }

  private static void terminateLockSession(Member member) throws Exception {
    try (Connection observer = AdvisoryLocks.open(db, TIMEOUT)) {
      int holder = LockHolders.pid(observer, member.uniqueAddress().longUid());
      assertNotEquals(-1, holder, "the member holds its lock");
      try (PreparedStatement s = observer.prepareStatement("SELECT pg_terminate_backend(?)")) {
        s.setInt(1, holder);
        s.execute();
      }
    }
  }

  private ActorSystem<Void> node(String name, String lockCheck) {
    return node(name, lockCheck, "");
  }

  private ActorSystem<Void> node(String name, String lockCheck, String extra) {
    Config config =
        ConfigFactory.parseString(
                extra
                    + "akka.actor.provider = cluster\n"
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
