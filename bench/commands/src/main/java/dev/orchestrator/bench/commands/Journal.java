package dev.orchestrator.bench.commands;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;

/**
 * Reads the orchestrator's {@code event_journal} (akka-persistence-jdbc) for the bench's commands:
 * {@code persistence_id = prefix + id}, {@code write_timestamp} in epoch ms, {@code
 * event_ser_manifest} ending in the event's class name ({@code ...CommandEvent$Succeeded}).
 */
final class Journal implements AutoCloseable {
  static final String SUCCEEDED = "%Succeeded";
  static final String STARTED = "%AttemptStarted";

  /** Per command: first AttemptStarted and the Succeeded write_timestamp (0 = none yet). */
  record Times(long firstStartMs, long succeededMs) {}

  private final Connection connection;
  private final String pidPrefix;

  Journal(Database db, String pidPrefix) throws SQLException {
    this.connection = db.connect("postgres");
    this.connection.setAutoCommit(true);
    this.pidPrefix = pidPrefix;
  }

  /** The journal's highest {@code ordering} now (0 when empty or not there yet). */
  long maxOrdering() throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("SELECT coalesce(max(ordering), 0) FROM event_journal")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Succeeded events written after {@code ordering} (cheap: a range on the ordering index). */
  private int succeededAfter(long ordering) throws SQLException {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT count(*) FROM event_journal WHERE ordering > ? AND event_ser_manifest LIKE ?")) {
      ps.setLong(1, ordering);
      ps.setString(2, SUCCEEDED);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** The distinct manifests written after {@code ordering}: for a clear error when none match. */
  String manifestsAfter(long ordering) throws SQLException {
    TreeSet<String> names = new TreeSet<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT DISTINCT event_ser_manifest FROM event_journal WHERE ordering > ? LIMIT 50")) {
      ps.setLong(1, ordering);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    return names.isEmpty() ? "(no events at all)" : String.join(", ", names);
  }

  /** First AttemptStarted and Succeeded write_timestamps of {@code ids} (absent = not written). */
  Map<String, Times> times(List<String> ids) throws SQLException {
    Map<String, long[]> acc = new HashMap<>();
    List<String> pids = new ArrayList<>(ids.size());
    for (String id : ids) {
      pids.add(pidPrefix + id);
    }
    Array array = connection.createArrayOf("varchar", pids.toArray());
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT persistence_id, event_ser_manifest, write_timestamp FROM event_journal"
                + " WHERE persistence_id = ANY(?)"
                + " AND (event_ser_manifest LIKE ? OR event_ser_manifest LIKE ?)")) {
      ps.setArray(1, array);
      ps.setString(2, SUCCEEDED);
      ps.setString(3, STARTED);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String id = rs.getString(1).substring(pidPrefix.length());
          String manifest = rs.getString(2);
          long ts = rs.getLong(3);
          long[] t = acc.computeIfAbsent(id, k -> new long[2]);
          if (manifest.endsWith("AttemptStarted")) {
            t[0] = t[0] == 0 ? ts : Math.min(t[0], ts);
          } else {
            t[1] = t[1] == 0 ? ts : Math.min(t[1], ts);
          }
        }
      }
    } finally {
      array.free();
    }
    Map<String, Times> out = new HashMap<>();
    acc.forEach((k, v) -> out.put(k, new Times(v[0], v[1])));
    return out;
  }

  /**
   * Waits until every id in {@code ids} has a Succeeded event, polling a cheap count every 500 ms
   * (so the polling does not load the system under test) and checking the exact set only once the
   * count is high enough. Gives up after {@code timeoutMs}, when {@code alive} turns false, or when
   * no Succeeded event at all has appeared 60 s after the last ack. Returns the times found.
   */
  Map<String, Times> awaitSucceeded(
      List<String> ids, long startOrdering, long timeoutMs, BooleanSupplier alive, String what)
      throws SQLException, InterruptedException {
    long start = System.currentTimeMillis();
    long deadline = start + timeoutMs;
    long lastReport = start;
    Map<String, Times> times = Map.of();
    while (true) {
      int count = succeededAfter(startOrdering);
      if (count >= ids.size()) {
        times = times(ids);
        long done = times.values().stream().filter(t -> t.succeededMs() > 0).count();
        if (done >= ids.size()) {
          return times;
        }
      }
      long now = System.currentTimeMillis();
      if (now > deadline) {
        System.out.printf("  %s: gave up waiting after %d s: %d of %d succeeded%n",
            what, timeoutMs / 1000, count, ids.size());
        return times(ids);
      }
      if (!alive.getAsBoolean()) {
        System.out.printf("  %s: the node died while waiting (%d of %d succeeded)%n", what, count, ids.size());
        return times(ids);
      }
      if (count == 0 && now - start > 60_000) {
        throw new IllegalStateException(
            what + ": no Succeeded event (manifest LIKE '" + SUCCEEDED + "') in event_journal 60 s"
                + " after the last ack; manifests written since the phase began: "
                + manifestsAfter(startOrdering));
      }
      if (now - lastReport >= 10_000) {
        System.out.printf("  %s: %d of %d succeeded so far%n", what, count, ids.size());
        lastReport = now;
      }
      Thread.sleep(500);
    }
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (SQLException e) {
      // ignore
    }
  }
}
