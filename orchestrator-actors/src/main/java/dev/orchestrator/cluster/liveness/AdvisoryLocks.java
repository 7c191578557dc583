package dev.orchestrator.cluster.liveness;

import dev.orchestrator.db.DatabaseSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;

/**
 * Session-level PostgreSQL advisory locks keyed by one {@code bigint}, as {@code
 * pg_advisory_lock(key)} takes them, and how to find them in {@code pg_locks}: there the key is
 * split into {@code classid} (its high 32 bits) and {@code objid} (its low 32 bits), both unsigned,
 * with {@code objsubid = 1}. The halves are compared one by one, so a negative key (half of all
 * cluster member uids) matches its own 64-bit pattern.
 */
public final class AdvisoryLocks {
  private static final String HELD_KEYS =
      "SELECT classid::bigint, objid::bigint FROM pg_locks"
          + " WHERE locktype = 'advisory' AND granted AND objsubid = 1";
  private static final String HELD =
      "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
          + " AND classid::bigint = ? AND objid::bigint = ?";

  private AdvisoryLocks() {}

  /**
   * A connection of its own (not from a pool), for a session that must live as long as the node or
   * must not wait behind the pool; TCP keep-alive on, so that a vanished server is noticed.
   */
  public static Connection open(DatabaseSettings db, Duration timeout) throws SQLException {
    return open(db, timeout, Duration.ZERO);
  }

  /**
   * As {@link #open(DatabaseSettings, Duration)}, and a read that waits longer than {@code
   * socketTimeout} (zero: for ever) breaks the connection, so a caller never hangs on a server that
   * went away.
   */
  public static Connection open(DatabaseSettings db, Duration timeout, Duration socketTimeout)
      throws SQLException {
    Properties props = new Properties();
    if (!socketTimeout.isZero()) {
      props.setProperty("socketTimeout", Long.toString(Math.max(1, socketTimeout.toSeconds())));
    }
    props.setProperty("user", db.user());
    props.setProperty("password", db.password());
    long seconds = Math.max(1, timeout.toSeconds());
    props.setProperty("connectTimeout", Long.toString(seconds));
    props.setProperty("loginTimeout", Long.toString(seconds));
    props.setProperty("tcpKeepAlive", "true");
    props.setProperty("ApplicationName", "orchestrator-liveness");
    Connection connection = DriverManager.getConnection(db.url(), props);
    connection.setAutoCommit(true);
    return connection;
  }

  /** Takes the lock for this session if it is free; false when another session holds it. */
  public static boolean tryLock(Connection connection, long key) throws SQLException {
    try (PreparedStatement s = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
      s.setLong(1, key);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  /** Whether some session holds the lock {@code key}. */
  public static boolean held(Connection connection, long key, Duration timeout)
      throws SQLException {
    try (PreparedStatement s = connection.prepareStatement(HELD)) {
      s.setQueryTimeout(queryTimeoutSeconds(timeout));
      s.setLong(1, classId(key));
      s.setLong(2, objId(key));
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** The keys of every advisory lock held now (one bigint each), by any session. */
  public static Set<Long> heldKeys(Connection connection, Duration timeout) throws SQLException {
    Set<Long> keys = new HashSet<>();
    try (PreparedStatement s = connection.prepareStatement(HELD_KEYS)) {
      s.setQueryTimeout(queryTimeoutSeconds(timeout));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          keys.add(key(rs.getLong(1), rs.getLong(2)));
        }
      }
    }
    return keys;
  }

  /** The high 32 bits of {@code key} as pg_locks shows them (an unsigned oid). */
  static long classId(long key) {
    return key >>> 32;
  }

  /** The low 32 bits of {@code key} as pg_locks shows them (an unsigned oid). */
  static long objId(long key) {
    return key & 0xFFFF_FFFFL;
  }

  /** The key of a pg_locks row: the inverse of {@link #classId} and {@link #objId}. */
  static long key(long classId, long objId) {
    return (classId << 32) | (objId & 0xFFFF_FFFFL);
  }

  private static int queryTimeoutSeconds(Duration timeout) {
    return (int) Math.max(1, timeout.toSeconds());
  }
}
