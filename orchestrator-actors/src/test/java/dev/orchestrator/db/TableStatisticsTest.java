package dev.orchestrator.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import dev.orchestrator.db.TableStatistics.TableState;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The planner statistics of young tables are refreshed once enough of their rows changed, against a
 * real PostgreSQL (whose autovacuum would look only after a minute).
 */
class TableStatisticsTest {
  private static final List<String> TABLES = List.of("event_journal", "event_tag");
  private static final TableStatistics.Settings SETTINGS =
      new TableStatistics.Settings(Duration.ofMillis(200), TABLES, 200, 0.2);
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir static Path tempDir;
  private static TestPostgres db;
  private static final ExecutorService blocking = Executors.newFixedThreadPool(2);
  private static final ActorTestKit testKit = ActorTestKit.create("TableStatisticsTest");

  @BeforeAll
  static void start() throws Exception {
    db = TestPostgres.start(tempDir.resolve("pg"));
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      // No autovacuum here: what refreshes the statistics in this test is TableStatistics.
      s.execute("ALTER TABLE event_journal SET (autovacuum_enabled = false)");
      s.execute("ALTER TABLE event_tag SET (autovacuum_enabled = false)");
    }
  }

  @AfterAll
  static void stop() throws Exception {
    testKit.shutdownTestKit();
    blocking.shutdownNow();
    db.close();
  }

  @Test
  void statisticsAreStaleOnceEnoughRowsAndAShareOfTheLiveRowsChanged() {
    List<TableState> tables =
        List.of(
            new TableState("never-analyzed", 250, 250),
            new TableState("few-changes", 100, 150),
            new TableState("big-and-little-changed", 100_000, 5_000),
            new TableState("big-and-much-changed", 100_000, 25_000),
            new TableState("unchanged", 10, 0));
    assertEquals(
        List.of("never-analyzed", "big-and-much-changed"), TableStatistics.stale(tables, 200, 0.2));
  }

  @Test
  void aListedTableThatIsAbsentOrNotOursIsNamedAsLeftToAutovacuum() throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("CREATE ROLE stats_user LOGIN");
      s.execute("CREATE TABLE stats_users_own (id int)");
      s.execute("ALTER TABLE stats_users_own OWNER TO stats_user");
    }
    // A role that is not the owner of the journal (the superuser of the other tests owns it).
    try (Database other =
        Database.connect(
            new DatabaseSettings(
                db.server().jdbcUrl(), "stats_user", "", 2, Duration.ofSeconds(10)))) {
      List<String> unkept =
          TableStatistics.unkept(
                  other.dataSource(),
                  blocking,
                  List.of("event_journal", "no_such_table", "stats_users_own"))
              .toCompletableFuture()
              .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertEquals(List.of("event_journal", "no_such_table"), unkept);
    }
  }

  @Test
  void settingsRefuseANameThatIsNotAPlainTableName() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new TableStatistics.Settings(
                    Duration.ofSeconds(1), List.of("event_tag; DROP TABLE x"), 200, 0.2));
    assertTrue(e.getMessage().contains("not a plain table name"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new TableStatistics.Settings(Duration.ofSeconds(1), TABLES, 0, 0.2));
  }

  @Test
  void aFreshJournalGetsStatisticsAndAPlanThatDoesNotJoinEveryEventWithEveryTag() throws Exception {
    insertEvents(0, 3_000);
    awaitChanged(3_000);
    // Another node analyzing (its advisory lock held): this one leaves it to that node.
    try (Connection other = db.dataSource().getConnection();
        Statement s = other.createStatement()) {
      other.setAutoCommit(false);
      s.execute("SELECT pg_advisory_xact_lock(" + TableStatistics.LOCK_KEY + ")");
      assertEquals(List.of(), analyzeStale());
      other.rollback();
    }
    assertFalse(analyzed("event_journal"), "nothing analyzed while another node holds the lock");
    // Without statistics the planner joins every event of the range with every row of the tag.
    String before = eventsByTagPlan(2_500, 3_000);
    assertTrue(before.contains("Rows Removed by Join Filter"), before);

    testKit.spawn(TableStatistics.create(SETTINGS, db.dataSource(), blocking));
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        WAIT,
        () -> {
          assertTrue(analyzed("event_journal") && analyzed("event_tag"), "both analyzed");
          return null;
        });
    String plan = eventsByTagPlan(2_500, 3_000);
    assertFalse(plan.contains("Rows Removed by Join Filter"), plan);
    // Fresh statistics are not stale: the next check analyzes nothing.
    probe.awaitAssert(
        WAIT,
        () -> {
          assertEquals(List.of(), analyzeStale());
          return null;
        });
  }

  private static List<String> analyzeStale() throws Exception {
    return TableStatistics.analyzeStale(db.dataSource(), blocking, TABLES, SETTINGS)
        .toCompletableFuture()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
  }

  /** Events {@code from}..{@code to}-1, each with one of four tags. */
  private static void insertEvents(int from, int to) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(
          "INSERT INTO event_journal (ordering, persistence_id, sequence_number, writer,"
              + " write_timestamp, event_ser_id, event_ser_manifest, event_payload)"
              + " SELECT i, 'Entity|' || (i % 500), i / 500 + 1, 'w', 0, 1, 'm', '\\x00'::bytea"
              + " FROM generate_series("
              + from
              + ", "
              + (to - 1)
              + ") i");
      s.execute(
          "INSERT INTO event_tag (event_id, tag) SELECT i, 'tag-' || (i % 4)"
              + " FROM generate_series("
              + from
              + ", "
              + (to - 1)
              + ") i");
    }
  }

  /** Waits until PostgreSQL's statistics counters show the inserts (they lag a little). */
  private static void awaitChanged(long rows) {
    testKit
        .createTestProbe()
        .awaitAssert(
            WAIT,
            () -> {
              try (Connection c = db.dataSource().getConnection()) {
                for (TableState t : TableStatistics.states(c, TABLES)) {
                  assertTrue(t.changedSinceAnalyze() >= rows, t::toString);
                }
              }
              return null;
            });
  }

  private static boolean analyzed(String table) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = '"
                    + table
                    + "'")) {
      return rs.next() && rs.getBoolean(1);
    }
  }

  /** EXPLAIN ANALYZE of akka-persistence-jdbc's eventsByTag query (as its Slick code writes it). */
  private static String eventsByTagPlan(long after, long upTo) throws SQLException {
    StringBuilder plan = new StringBuilder();
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "EXPLAIN ANALYZE SELECT j.ordering, j.persistence_id, j.sequence_number,"
                    + " j.event_payload FROM (SELECT * FROM event_journal WHERE deleted = false) j,"
                    + " event_tag t WHERE t.tag = 'tag-1' AND j.ordering > "
                    + after
                    + " AND j.ordering <= "
                    + upTo
                    + " AND j.ordering = t.event_id ORDER BY j.ordering LIMIT 500")) {
      while (rs.next()) {
        plan.append(rs.getString(1)).append('\n');
      }
    }
    return plan.toString();
  }
}
