package dev.orchestrator.bench.failover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * "No dual writes", read from the journal after the partition run. An event sourced actor's
 * incarnation writes under a writer id of its own ({@code event_journal.writer}), so per
 * persistence id, in sequence order:
 *
 * <ul>
 *   <li>sequence numbers have no hole (the primary key makes them unique);
 *   <li>each writer's events form one block: a writer that comes back after another one
 *       (A, B, A) is two incarnations writing at once;
 *   <li>a block's last write is older than the next block's first ({@code write_timestamp}, the
 *       writers' clocks, one machine): otherwise two incarnations wrote in overlapping time;
 *   <li>a component's {@code LifecycleRequested} epochs never go down (a command of an older
 *       fencing epoch was journaled after a newer one).
 * </ul>
 *
 * PostgreSQL's own log has every write the primary key refused ({@code duplicate key value violates
 * unique constraint "event_journal_pkey"}): a second writer that tried and was stopped. And every
 * event the singleton acknowledged must be in its journal.
 */
final class JournalCheck {
  private static final Pattern DUPLICATE =
      Pattern.compile("Key \\(persistence_id, sequence_number\\)=\\((.*), (\\d+)\\) already exists");

  int persistenceIds;
  int events;
  int handedOver;
  int holes;
  int writerReturned;
  int timeOverlap;
  int lifecycleEvents;
  int epochWentBack;
  int staleEpochRefused;
  int refusedWrites;
  int eventsLost;
  final Map<String, Integer> refusedByPersistenceId = new LinkedHashMap<>();
  final List<String> examples = new ArrayList<>();

  static JournalCheck of(String jdbcUrl, Path postgresLogDir, Set<String> ackedEvents)
      throws SQLException, IOException {
    JournalCheck j = new JournalCheck();
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("SET statement_timeout = '120s'");
      try (ResultSet rs =
          s.executeQuery(
              "SELECT count(*), coalesce(sum(n), 0),"
                  + " count(*) FILTER (WHERE n <> hi - lo + 1) FROM (SELECT persistence_id,"
                  + " count(*) n, min(sequence_number) lo, max(sequence_number) hi"
                  + " FROM event_journal GROUP BY 1) t")) {
        rs.next();
        j.persistenceIds = rs.getInt(1);
        j.events = rs.getInt(2);
        j.holes = rs.getInt(3);
      }
      String blocks =
          "WITH j AS (SELECT persistence_id, sequence_number, writer, write_timestamp,"
              + " CASE WHEN writer IS DISTINCT FROM lag(writer) OVER (PARTITION BY persistence_id"
              + " ORDER BY sequence_number) THEN 1 ELSE 0 END AS starts FROM event_journal),"
              + " b AS (SELECT *, sum(starts) OVER (PARTITION BY persistence_id"
              + " ORDER BY sequence_number) AS block FROM j),"
              + " blocks AS (SELECT persistence_id, block, min(writer) AS writer,"
              + " min(sequence_number) AS lo, max(sequence_number) AS hi,"
              + " min(write_timestamp) AS t0, max(write_timestamp) AS t1 FROM b GROUP BY 1, 2) ";
      try (ResultSet rs =
          s.executeQuery(
              blocks + "SELECT count(DISTINCT persistence_id) FILTER (WHERE block > 1),"
                  + " (SELECT count(*) FROM (SELECT 1 FROM blocks GROUP BY persistence_id, writer"
                  + " HAVING count(*) > 1) r) FROM blocks")) {
        rs.next();
        j.handedOver = rs.getInt(1);
        j.writerReturned = rs.getInt(2);
      }
      try (ResultSet rs =
          s.executeQuery(
              blocks + "SELECT persistence_id, hi, t1, next_t0 FROM (SELECT *, lead(t0) OVER"
                  + " (PARTITION BY persistence_id ORDER BY block) AS next_t0 FROM blocks) o"
                  + " WHERE next_t0 IS NOT NULL AND t1 > 0 AND next_t0 > 0 AND t1 > next_t0")) {
        while (rs.next()) {
          j.timeOverlap++;
          j.example(
              rs.getString(1) + ": a writer's event " + rs.getLong(2) + " at " + rs.getLong(3)
                  + " ms is later than the next writer's first, at " + rs.getLong(4) + " ms");
        }
      }
      j.checkEpochs(s);
      j.eventsLost = lostEvents(s, ackedEvents);
    }
    j.readPostgresLog(postgresLogDir);
    return j;
  }

  private void checkEpochs(Statement s) throws SQLException {
    try (ResultSet rs =
        s.executeQuery(
            "SELECT persistence_id, sequence_number, event_ser_manifest,"
                + " convert_from(event_payload, 'UTF8')::jsonb ->> 'epoch' FROM event_journal"
                + " WHERE persistence_id LIKE 'Component|%' AND get_byte(event_payload, 0) = 123"
                + " AND (event_ser_manifest LIKE '%LifecycleRequested'"
                + " OR event_ser_manifest LIKE '%StaleEpochRefused')"
                + " ORDER BY persistence_id, sequence_number")) {
      String pid = null;
      long highest = Long.MIN_VALUE;
      while (rs.next()) {
        if (rs.getString(3).endsWith("StaleEpochRefused")) {
          staleEpochRefused++;
          continue;
        }
        if (!rs.getString(1).equals(pid)) {
          pid = rs.getString(1);
          highest = Long.MIN_VALUE;
        }
        lifecycleEvents++;
        String text = rs.getString(4);
        if (text == null) {
          continue;
        }
        long epoch = Long.parseLong(text);
        if (epoch < highest) {
          epochWentBack++;
          example(pid + " event " + rs.getLong(2) + ": epoch " + epoch + " after " + highest);
        }
        highest = Math.max(highest, epoch);
      }
    }
  }

  private static int lostEvents(Statement s, Set<String> acked) throws SQLException {
    Set<String> journaled = new HashSet<>();
    try (ResultSet rs =
        s.executeQuery(
            "SELECT convert_from(event_payload, 'UTF8')::jsonb ->> 'eventId' FROM event_journal"
                + " WHERE persistence_id = 'orchestrator' AND get_byte(event_payload, 0) = 123"
                + " AND event_ser_manifest LIKE '%EventIngested'")) {
      while (rs.next()) {
        journaled.add(rs.getString(1));
      }
    }
    return (int) acked.stream().filter(id -> !journaled.contains(id)).count();
  }

  private void readPostgresLog(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return;
    }
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.sorted().toList();
    }
    for (Path f : files) {
      for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
        Matcher m = DUPLICATE.matcher(line);
        if (m.find()) {
          refusedWrites++;
          refusedByPersistenceId.merge(m.group(1), 1, Integer::sum);
        }
      }
    }
  }

  /** Journal anomalies that mean two writers at once (refused writes are not among them). */
  int dualWrites() {
    return holes + writerReturned + timeOverlap + epochWentBack;
  }

  private void example(String text) {
    if (examples.size() < 10) {
      examples.add(text);
    }
  }
}
