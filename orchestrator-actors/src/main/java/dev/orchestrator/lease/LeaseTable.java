package dev.orchestrator.lease;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * The SQL of the {@code leases} table (migration V9). Each operation is one statement, so that two
 * nodes racing for a lease are serialised by the row lock of PostgreSQL, and every time is the
 * database's {@code now()}, never a node's clock.
 */
final class LeaseTable {

  /**
   * True when some session holds the advisory lock of the bigint key {@code %s}: PostgreSQL shows a
   * bigint key as classid (high 32 bits) and objid (low 32 bits), with objsubid 1.
   */
  static final String LOCK_HELD =
      "EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
          + " AND ((classid::bigint << 32) | objid::bigint) = %s)";

  /**
   * Takes the lease when it is free, expired, already this owner's, or when its owner's liveness
   * lock is free (the owner process is dead). The epoch grows when the owner changes (another name,
   * or the same name with another liveness key: a new incarnation). The owner key is kept only when
   * its lock is held now, so that a node without a liveness lock cannot be taken over before its
   * lease expires.
   */
  private static final String ACQUIRE =
      "INSERT INTO leases AS l (name, owner, owner_key, epoch, acquired_at, expires_at)"
          + " SELECT ?, ?, CASE WHEN "
          + LOCK_HELD.formatted("mine.k")
          + " THEN mine.k END, 1, now(), now() + ?::double precision * interval '1 millisecond'"
          + " FROM (SELECT ?::bigint AS k) mine"
          + " ON CONFLICT (name) DO UPDATE SET"
          + " owner = excluded.owner,"
          + " owner_key = excluded.owner_key,"
          + " epoch = CASE WHEN l.owner = excluded.owner"
          + "   AND NOT coalesce(l.owner_key <> excluded.owner_key, false)"
          + "   THEN l.epoch ELSE l.epoch + 1 END,"
          + " acquired_at = CASE WHEN l.owner = excluded.owner"
          + "   AND NOT coalesce(l.owner_key <> excluded.owner_key, false)"
          + "   THEN l.acquired_at ELSE now() END,"
          + " expires_at = excluded.expires_at"
          + " WHERE l.owner IS NULL OR l.owner = excluded.owner OR l.expires_at < now()"
          + " OR (l.owner_key IS NOT NULL AND NOT "
          + LOCK_HELD.formatted("l.owner_key")
          + ")"
          + " RETURNING l.epoch";

  private static final String RENEW =
      "UPDATE leases SET expires_at = now() + ?::double precision * interval '1 millisecond'"
          + " WHERE name = ? AND owner = ? AND epoch = ? RETURNING epoch";

  private static final String RELEASE =
      "UPDATE leases SET owner = NULL, owner_key = NULL, expires_at = now()"
          + " WHERE name = ? AND owner = ? AND epoch = ?";

  private static final String EPOCH = "SELECT coalesce(max(epoch), 0) FROM leases WHERE name = ?";

  private final Supplier<DataSource> dataSource;
  private final int timeoutSeconds;

  /** {@code dataSource} is asked at each call: the pool of the leases opens on first use. */
  LeaseTable(Supplier<DataSource> dataSource, Duration operationTimeout) {
    this.dataSource = dataSource;
    this.timeoutSeconds = (int) Math.max(1, (operationTimeout.toMillis() + 999) / 1000);
  }

  /** The epoch now held, or empty when another owner holds the lease. */
  OptionalLong acquire(String name, String owner, Long ownerKey, Duration validFor)
      throws SQLException {
    try (Connection c = dataSource.get().getConnection();
        PreparedStatement s = c.prepareStatement(ACQUIRE)) {
      s.setQueryTimeout(timeoutSeconds);
      s.setString(1, name);
      s.setString(2, owner);
      s.setLong(3, validFor.toMillis());
      if (ownerKey == null) {
        s.setNull(4, Types.BIGINT);
      } else {
        s.setLong(4, ownerKey);
      }
      return first(s);
    }
  }

  /** Extends the lease held with {@code epoch}; false when it is no longer ours. */
  boolean renew(String name, String owner, long epoch, Duration validFor) throws SQLException {
    try (Connection c = dataSource.get().getConnection();
        PreparedStatement s = c.prepareStatement(RENEW)) {
      s.setQueryTimeout(timeoutSeconds);
      s.setLong(1, validFor.toMillis());
      s.setString(2, name);
      s.setString(3, owner);
      s.setLong(4, epoch);
      return first(s).isPresent();
    }
  }

  /** Frees the lease held with {@code epoch}; false when it was no longer ours. */
  boolean release(String name, String owner, long epoch) throws SQLException {
    try (Connection c = dataSource.get().getConnection();
        PreparedStatement s = c.prepareStatement(RELEASE)) {
      s.setQueryTimeout(timeoutSeconds);
      s.setString(1, name);
      s.setString(2, owner);
      s.setLong(3, epoch);
      return s.executeUpdate() == 1;
    }
  }

  /** The epoch of the lease {@code name}; 0 when it was never taken. */
  long epoch(String name) throws SQLException {
    try (Connection c = dataSource.get().getConnection();
        PreparedStatement s = c.prepareStatement(EPOCH)) {
      s.setQueryTimeout(timeoutSeconds);
      s.setString(1, name);
      return first(s).orElse(0L);
    }
  }

  private static OptionalLong first(PreparedStatement s) throws SQLException {
    try (ResultSet rs = s.executeQuery()) {
      return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
    }
  }
}
