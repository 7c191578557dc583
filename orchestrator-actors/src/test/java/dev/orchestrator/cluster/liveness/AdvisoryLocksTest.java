package dev.orchestrator.cluster.liveness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orchestrator.db.DatabaseSettings;
import dev.orchestrator.db.EmbeddedDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key encoding of {@link AdvisoryLocks} against the real {@code pg_locks}: a lock taken with
 * {@code pg_advisory_lock(key)} in one session is found by its key from another session, for
 * positive and negative keys and the edges of the 64-bit range, and is gone once the session ends.
 */
class AdvisoryLocksTest {
  static final Duration TIMEOUT = Duration.ofSeconds(2);
  static final Duration FREED_WITHIN = Duration.ofSeconds(10);

  @TempDir static Path tempDir;
  private static EmbeddedDatabase server;
  private static DatabaseSettings db;

  @BeforeAll
  static void startServer() throws Exception {
    server = EmbeddedDatabase.start(tempDir.resolve("pg"));
    db = new DatabaseSettings(server.jdbcUrl(), server.user(), server.password(), 2, TIMEOUT);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @Test
  void aLockTakenByKeyIsFoundByTheSameKeyAndOnlyByIt() throws Exception {
    long random = ThreadLocalRandom.current().nextLong();
    List<Long> keys =
        List.of(
            1L,
            -1L,
            0x0000_0001_8000_0000L,
            0x8000_0000L,
            Long.MIN_VALUE,
            Long.MAX_VALUE,
            random,
            -Math.abs(random) - 1);
    try (Connection observer = AdvisoryLocks.open(db, TIMEOUT)) {
      for (long key : keys) {
        try (Connection holder = AdvisoryLocks.open(db, TIMEOUT)) {
          lock(holder, key);
          assertTrue(AdvisoryLocks.held(observer, key, TIMEOUT), "held: " + key);
          assertTrue(AdvisoryLocks.heldKeys(observer, TIMEOUT).contains(key), "listed: " + key);
          assertFalse(AdvisoryLocks.held(observer, key ^ 1, TIMEOUT), "neighbour of " + key);
          assertFalse(
              AdvisoryLocks.held(observer, key ^ Long.MIN_VALUE, TIMEOUT), "sign flip of " + key);
          assertFalse(AdvisoryLocks.tryLock(observer, key), "taken by another session: " + key);
        }
        // The server ends the session a moment after the client closed it.
        long deadline = System.nanoTime() + FREED_WITHIN.toNanos();
        while (AdvisoryLocks.held(observer, key, TIMEOUT) && System.nanoTime() < deadline) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        assertFalse(AdvisoryLocks.held(observer, key, TIMEOUT), "free after close: " + key);
      }
    }
  }

  @Test
  void theSplitIsItsOwnInverse() {
    for (long key : new long[] {0, 1, -1, Long.MIN_VALUE, Long.MAX_VALUE, 0xDEAD_BEEF_0000_0001L}) {
      assertEquals(key, AdvisoryLocks.key(AdvisoryLocks.classId(key), AdvisoryLocks.objId(key)));
    }
  }

  @Test
  void aLockOfTheOtherFormIsNotTakenForAKey() throws Exception {
    // pg_advisory_lock(int, int) shows objsubid = 2: never one of our member locks.
    try (Connection holder = AdvisoryLocks.open(db, TIMEOUT);
        Connection observer = AdvisoryLocks.open(db, TIMEOUT)) {
      try (PreparedStatement s = holder.prepareStatement("SELECT pg_advisory_lock(7, 9)")) {
        s.execute();
      }
      assertFalse(AdvisoryLocks.held(observer, (7L << 32) | 9L, TIMEOUT));
    }
  }

  static void lock(Connection connection, long key) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement("SELECT pg_advisory_lock(?)")) {
      s.setLong(1, key);
      s.execute();
    }
  }
}
