package dev.orchestrator.cluster.liveness;

import dev.orchestrator.db.DatabaseSettings;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;

/**
 * The {@link DeathProver}'s own connection, opened on first use and again after a failure, so that
 * a lookup never waits behind a busy pool. Blocking: call it on the blocking dispatcher, one call
 * at a time.
 */
final class LockProbe implements AutoCloseable {
  private final DatabaseSettings db;
  private final LivenessSettings settings;
  private Connection connection;

  LockProbe(DatabaseSettings db, LivenessSettings settings) {
    this.db = db;
    this.settings = settings;
  }

  /** What one lookup saw: the advisory locks held, and how long the server has been up. */
  record Seen(Set<Long> held, Duration serverUp) {}

  /** The keys of the advisory locks held now, and the server's uptime. */
  synchronized Seen look() throws SQLException {
    try {
      if (connection == null) {
        connection =
            AdvisoryLocks.open(
                db, settings.connectTimeout(), settings.queryTimeout().plusSeconds(1));
        try (Statement s = connection.createStatement()) {
          s.execute("SET statement_timeout = " + settings.queryTimeout().toMillis());
        }
      }
      Set<Long> held = AdvisoryLocks.heldKeys(connection, settings.queryTimeout());
      try (Statement s = connection.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT EXTRACT(EPOCH FROM now() - pg_postmaster_start_time()) * 1000")) {
        rs.next();
        return new Seen(held, Duration.ofMillis(rs.getLong(1)));
      }
    } catch (SQLException | RuntimeException e) {
      close();
      throw e;
    }
  }

  @Override
  public synchronized void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // the connection is dropped either way
      }
      connection = null;
    }
  }
}
