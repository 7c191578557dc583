package dev.orchestrator.cluster.liveness;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Which session holds a liveness lock, as pg_locks shows it: for tests that kill that session. */
final class LockHolders {
  private LockHolders() {}

  /** The backend pid of the session holding lock {@code key}, -1 if none. */
  static int pid(Connection observer, long key) throws SQLException {
    try (PreparedStatement s =
        observer.prepareStatement(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
                + " AND classid::bigint = ? AND objid::bigint = ?")) {
      s.setLong(1, AdvisoryLocks.classId(key));
      s.setLong(2, AdvisoryLocks.objId(key));
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getInt(1) : -1;
      }
    }
  }
}
