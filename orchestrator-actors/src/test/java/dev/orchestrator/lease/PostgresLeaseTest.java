package dev.orchestrator.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.ExtendedActorSystem;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.coordination.lease.LeaseSettings;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.db.Database;
import dev.orchestrator.db.DatabaseSettings;
import dev.orchestrator.db.EmbeddedDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.concurrent.Await;
import scala.concurrent.Future;
import scala.runtime.BoxedUnit;

/** {@link PostgresLease} against a real PostgreSQL: two owners racing in one ActorSystem. */
class PostgresLeaseTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  /** Negative on purpose: its high 32 bits are all ones, which PostgreSQL shows as an oid. */
  private static final long KEY = -1234567890123L;

  private static Path dir;
  private static EmbeddedDatabase server;
  private static Database database;
  private static ActorTestKit testKit;
  private static ExtendedActorSystem system;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("lease-test");
    server = EmbeddedDatabase.start(dir.resolve("pg"));
    database =
        Database.connect(
            new DatabaseSettings(
                server.jdbcUrl(), server.user(), server.password(), 4, Duration.ofSeconds(10)));
    database.migrate();
    Config config =
        ConfigFactory.parseMap(
                Map.of(
                    "test-db.url", server.jdbcUrl(),
                    "test-db.user", server.user(),
                    "test-db.password", server.password(),
                    "orchestrator.lease.database", "test-db"))
            .withFallback(ConfigFactory.load())
            .resolve();
    testKit = ActorTestKit.create("PostgresLeaseTest", config);
    system = (ExtendedActorSystem) testKit.system().classicSystem();
  }

  @AfterAll
  static void stop() throws Exception {
    testKit.shutdownTestKit();
    database.close();
    server.close();
  }

  @Test
  void theFirstOwnerGetsItAndKeepsItsEpochWhenAcquiringAgain() throws Exception {
    PostgresLease a = lease("first", "a", null);
    PostgresLease b = lease("first", "b", null);
    assertTrue(acquired(a.acquire()));
    assertEquals(1, row("first").epoch());
    assertTrue(a.checkLease());
    assertFalse(acquired(b.acquire()), "held by a");
    assertFalse(b.checkLease());
    assertTrue(acquired(a.acquire()), "already a's");
    assertEquals(1, row("first").epoch(), "same owner, same epoch");
    assertTrue(acquired(a.release()));
    assertFalse(a.checkLease());
    assertNull(row("first").owner());
    assertTrue(acquired(b.acquire()), "free after release");
    assertEquals(new Row("b", 2), row("first"));
    assertTrue(acquired(b.release()));
  }

  @Test
  void anExpiredLeaseIsTakenWithTheNextEpoch() throws Exception {
    execute(
        "INSERT INTO leases VALUES ('expiry', 'ghost', NULL, 7, now(), now() + interval '1 hour')");
    PostgresLease b = lease("expiry", "b", null);
    assertFalse(acquired(b.acquire()), "ghost's lease has not expired");
    execute("UPDATE leases SET expires_at = now() - interval '1 second' WHERE name = 'expiry'");
    assertTrue(acquired(b.acquire()));
    assertEquals(new Row("b", 8), row("expiry"));
    assertEquals(8, b.heldEpoch());
    assertTrue(acquired(b.release()));
  }

  @Test
  void theHeartbeatExtendsTheExpiry() throws Exception {
    PostgresLease a = lease("heartbeat", "a", null);
    assertTrue(acquired(a.acquire()));
    Timestamp first = expiresAt("heartbeat");
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        WAIT,
        () -> {
          assertTrue(expiresAt("heartbeat").after(first), "renewed");
          return null;
        });
    assertEquals(new Row("a", 1), row("heartbeat"), "a renewal changes neither owner nor epoch");
    assertTrue(acquired(a.release()));
  }

  @Test
  void aLeaseTakenByAnotherOwnerIsLostAndTheCallbackTold() throws Exception {
    PostgresLease a = lease("lost", "a", null);
    TestProbe<Optional<Throwable>> lost = testKit.createTestProbe();
    assertTrue(
        acquired(
            a.acquire(
                cause -> {
                  lost.getRef().tell(Optional.ofNullable(cause.isDefined() ? cause.get() : null));
                  return BoxedUnit.UNIT;
                })));
    execute("UPDATE leases SET owner = 'thief', epoch = epoch + 1 WHERE name = 'lost'");
    Optional<Throwable> cause = lost.receiveMessage(WAIT);
    assertTrue(cause.isPresent() && cause.get().getMessage().contains("another owner"), "" + cause);
    assertFalse(a.checkLease());
    assertEquals(new Row("thief", 2), row("lost"), "a lost lease is not written again");
  }

  @Test
  void aLeaseTakenBeforeTheHeartbeatNoticesIsNeitherReleasedNorKept() throws Exception {
    PostgresLease releasing = quietLease("taken-release", "a");
    assertTrue(acquired(releasing.acquire()));
    execute("UPDATE leases SET owner = 'thief', epoch = epoch + 1 WHERE name = 'taken-release'");
    assertTrue(acquired(releasing.release()), "not held any more");
    assertFalse(releasing.checkLease());
    assertEquals(new Row("thief", 2), row("taken-release"), "the new owner's lease is untouched");

    PostgresLease acquiring = quietLease("taken-acquire", "a");
    assertTrue(acquired(acquiring.acquire()));
    execute("UPDATE leases SET owner = 'thief', epoch = epoch + 1 WHERE name = 'taken-acquire'");
    assertFalse(acquired(acquiring.acquire()), "held by the thief now");
    assertFalse(acquiring.checkLease());
    assertEquals(-1, acquiring.heldEpoch());
    assertEquals(new Row("thief", 2), row("taken-acquire"));
  }

  @Test
  void theAdvisoryLockKeyIsReadBackFromPgLocks() throws Exception {
    try (Connection c = database.connection()) {
      lock(c, KEY);
      assertTrue(held(KEY));
      assertFalse(held(KEY + 1));
      assertFalse(held(-KEY));
      unlock(c, KEY);
      assertFalse(held(KEY));
    }
  }

  @Test
  void aDeadOwnersLeaseIsTakenAtOnceButNotWhileItsLockIsHeld() throws Exception {
    PostgresLease a = lease("takeover", "a", KEY);
    PostgresLease b = lease("takeover", "b", null);
    TestProbe<Object> lost = testKit.createTestProbe();
    // Its own session, not the pool's: closing it must end the session and so the lock.
    try (Connection liveness =
        DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password())) {
      lock(liveness, KEY);
      assertTrue(
          acquired(
              a.acquire(
                  cause -> {
                    lost.getRef().tell("lost");
                    return BoxedUnit.UNIT;
                  })));
      assertEquals(KEY, ownerKey("takeover"));
      assertFalse(acquired(b.acquire()), "a's process holds its lock: alive");
      assertEquals(new Row("a", 1), row("takeover"));
    }
    // The liveness connection closed: a's "process" is dead, its lease not yet expired. The server
    // ends the session (and frees the lock) a moment after the client closed it: wait for that.
    lost.awaitAssert(
        WAIT,
        () -> {
          assertFalse(held(KEY), "a's session still holds its lock");
          return null;
        });
    assertTrue(acquired(b.acquire()));
    assertEquals(new Row("b", 2), row("takeover"));
    lost.expectMessage(WAIT, "lost");
    assertTrue(acquired(b.release()));
  }

  @Test
  void anOwnerWithoutItsLockHeldIsNotTakenOverBeforeExpiry() throws Exception {
    PostgresLease a = lease("no-lock", "a", KEY + 7);
    PostgresLease b = lease("no-lock", "b", null);
    assertTrue(acquired(a.acquire()));
    assertEquals(0L, ownerKey("no-lock"), "no key recorded: the lock was not held");
    assertFalse(acquired(b.acquire()));
    assertTrue(acquired(a.release()));
  }

  private PostgresLease lease(String name, String owner, Long key) {
    return leaseWith(name, owner, Map.of("owner-key", key == null ? "" : Long.toString(key)));
  }

  /** A lease whose heartbeat does not run during a test, so only the test's calls reach the row. */
  private PostgresLease quietLease(String name, String owner) {
    return leaseWith(name, owner, Map.of("heartbeat-interval", "1h", "heartbeat-timeout", "3h"));
  }

  /** A lease with the singleton lease's settings but {@code settings}. */
  private PostgresLease leaseWith(String name, String owner, Map<String, String> settings) {
    Config config =
        ConfigFactory.parseMap(settings)
            .withFallback(system.settings().config().getConfig("orchestrator.lease.singleton"));
    return new PostgresLease(LeaseSettings.apply(config, name, owner), system);
  }

  private static boolean acquired(Future<Object> result) throws Exception {
    return (Boolean) Await.result(result, scala.concurrent.duration.Duration.create(30, "s"));
  }

  record Row(String owner, long epoch) {}

  private static Row row(String name) throws SQLException {
    List<Object> values = query("SELECT owner, epoch FROM leases WHERE name = ?", name);
    return new Row((String) values.get(0), (Long) values.get(1));
  }

  private static Timestamp expiresAt(String name) throws SQLException {
    return (Timestamp) query("SELECT expires_at FROM leases WHERE name = ?", name).get(0);
  }

  private static long ownerKey(String name) throws SQLException {
    Object key = query("SELECT owner_key FROM leases WHERE name = ?", name).get(0);
    return key == null ? 0L : (Long) key;
  }

  private static boolean held(long key) throws SQLException {
    String sql = "SELECT " + LeaseTable.LOCK_HELD.formatted("?::bigint");
    return (Boolean) query(sql, key).get(0);
  }

  private static List<Object> query(String sql, Object param) throws SQLException {
    try (Connection c = database.connection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setObject(1, param);
      try (ResultSet rs = s.executeQuery()) {
        assertTrue(rs.next(), sql);
        int n = rs.getMetaData().getColumnCount();
        Object[] values = new Object[n];
        for (int i = 0; i < n; i++) {
          values[i] = rs.getObject(i + 1);
        }
        return java.util.Arrays.asList(values);
      }
    }
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = database.connection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.execute();
    }
  }

  private static void lock(Connection c, long key) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_lock(?)")) {
      s.setLong(1, key);
      s.execute();
    }
  }

  private static void unlock(Connection c, long key) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
      s.setLong(1, key);
      s.execute();
    }
  }
}
