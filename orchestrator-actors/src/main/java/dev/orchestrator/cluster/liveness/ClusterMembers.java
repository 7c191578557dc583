package dev.orchestrator.cluster.liveness;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The {@code cluster_members} table: each cluster-mode node records its address and the key of its
 * liveness lock when it starts, and when it is Up; the Up nodes whose lock is held now are the live
 * cluster. A node that starts while such nodes live joins them rather than forming a cluster of its
 * own (Akka lets the first node of a seed list join itself when the other seeds do not answer in
 * time, which a busy or restarting cluster can cause: two clusters on one database).
 */
public final class ClusterMembers {
  private ClusterMembers() {}

  /** Records this node (replacing an earlier process on the same address). */
  public static void register(Connection connection, String address, long lockKey, String roles)
      throws SQLException {
    try (PreparedStatement s =
        connection.prepareStatement(
            "INSERT INTO cluster_members (address, lock_key, roles, started_at)"
                + " VALUES (?, ?, ?, now()) ON CONFLICT (address) DO UPDATE"
                + " SET lock_key = EXCLUDED.lock_key, roles = EXCLUDED.roles,"
                + " started_at = EXCLUDED.started_at, up_at = NULL")) {
      s.setString(1, address);
      s.setLong(2, lockKey);
      s.setString(3, roles);
      s.executeUpdate();
    }
  }

  /** Records that this process (address and lock key) is an Up member now. */
  public static void markUp(Connection connection, String address, long lockKey)
      throws SQLException {
    try (PreparedStatement s =
        connection.prepareStatement(
            "UPDATE cluster_members SET up_at = now() WHERE address = ? AND lock_key = ?")) {
      s.setString(1, address);
      s.setLong(2, lockKey);
      s.executeUpdate();
    }
  }

  /**
   * Addresses of the other recorded nodes that became Up members and whose liveness lock is held
   * now, oldest start first. Nodes that are only starting do not count: when several start at once,
   * the first seed must still form the cluster.
   */
  public static List<String> liveOthers(Connection connection, String self, Duration timeout)
      throws SQLException {
    Set<Long> held = AdvisoryLocks.heldKeys(connection, timeout);
    List<String> live = new ArrayList<>();
    try (PreparedStatement s =
        connection.prepareStatement(
            "SELECT address, lock_key FROM cluster_members WHERE address <> ?"
                + " AND up_at IS NOT NULL ORDER BY started_at")) {
      s.setString(1, self);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          if (held.contains(rs.getLong(2))) {
            live.add(rs.getString(1));
          }
        }
      }
    }
    return live;
  }

  /**
   * The seeds to join: the live nodes first, then the configured seeds, this node last whenever
   * another node lives (so it cannot join itself); the configured order when none does.
   */
  public static List<String> seeds(List<String> configured, List<String> liveOthers, String self) {
    if (liveOthers.isEmpty()) {
      return configured;
    }
    List<String> seeds = new ArrayList<>(liveOthers);
    configured.stream().filter(s -> !s.equals(self) && !seeds.contains(s)).forEach(seeds::add);
    if (configured.contains(self)) {
      seeds.add(self);
    }
    return seeds;
  }
}
