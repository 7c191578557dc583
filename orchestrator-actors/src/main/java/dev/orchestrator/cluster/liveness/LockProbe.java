package dev.orchestrator.cluster.liveness;

import dev.orchestrator.db.DatabaseSettings;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
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

  /** The keys of the advisory locks held now. */
  synchronized Set<Long> heldKeys() throws SQLException {
    try {
      if (connection == null) {
        connection =
            AdvisoryLocks.open(
                db, settings.connectTimeout(), settings.queryTimeout().plusSeconds(1));
        try (Statement s = connection.createStatement()) {
          s.execute("SET statement_timeout = " + settings.queryTimeout().toMillis());
        }
      }
      return AdvisoryLocks.heldKeys(connection, settings.queryTimeout());
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
