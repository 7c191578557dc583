package dev.orchestrator.scenario.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.orchestrator.db.TestPostgres;
import dev.orchestrator.protocol.scenario.Condition;
import dev.orchestrator.protocol.scenario.Explanation;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database leaf on a real PostgreSQL: the orchestrator's own database as {@code default}, a
 * second database configured as {@code warehouse}, and one configured where nothing listens.
 */
class DatabaseLeafTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2030-05-01T12:00:00Z");

  @TempDir static Path tempDir;
  private static TestPostgres db;
  private static JdbcConditionEvaluator evaluator;

  @BeforeAll
  static void start() throws Exception {
    db = TestPostgres.start(tempDir.resolve("pg"));
    db.execute("CREATE TABLE orders (id INT, status TEXT, total NUMERIC)");
    db.execute(
        "INSERT INTO orders VALUES (1, 'open', 10.5), (2, 'open', NULL), (3, 'open', 7),"
            + " (4, 'closed', 1)");
    db.execute("CREATE TABLE condition_writes (n INT)");
    // A query that passes the validator's word check and still writes: only the read-only
    // transaction stops it.
    db.execute(
        "CREATE FUNCTION write_something() RETURNS INT LANGUAGE sql AS"
            + " 'INSERT INTO condition_writes VALUES (1) RETURNING n'");
    db.execute("CREATE DATABASE warehouse");
    String warehouseUrl = "jdbc:postgresql://localhost:" + db.server().port() + "/warehouse";
    try (Connection c = DriverManager.getConnection(warehouseUrl, "postgres", "");
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE stock (item TEXT, qty INT)");
      s.execute("INSERT INTO stock VALUES ('bolts', 4), ('nuts', 40)");
      s.execute("CREATE TABLE condition_writes (n INT)");
      s.execute(
          "CREATE FUNCTION write_something() RETURNS INT LANGUAGE sql AS"
              + " 'INSERT INTO condition_writes VALUES (1) RETURNING n'");
    }
    DatasourceSettings settings =
        DatasourceSettings.from(
            ConfigFactory.parseString(
                    "orchestrator.scenarios {\n"
                        + "datasources.warehouse { url = \""
                        + warehouseUrl
                        + "\", user = postgres, password = \"\" }\n"
                        + "datasources.down { url = \"jdbc:postgresql://127.0.0.1:1/x\" }\n"
                        + "database-condition { max-rows = 5, connect-timeout = 1s }\n"
                        + "}")
                .withFallback(ConfigFactory.defaultReference())
                .resolve());
    evaluator = new JdbcConditionEvaluator(db.dataSource(), db.blocking(), settings);
  }

  @AfterAll
  static void stop() throws Exception {
    if (evaluator != null) {
      evaluator.close();
    }
    if (db != null) {
      db.close();
    }
  }

  static Condition query(String datasource, String sql, String timeout, String expect)
      throws Exception {
    Condition.Expect e = expect == null ? null : JSON.readValue(expect, Condition.Expect.class);
    Duration t = timeout == null ? null : dev.orchestrator.protocol.Durations.parse(timeout);
    return new Condition.Database(new Condition.DatabaseQuery(datasource, sql, t, e));
  }

  private static Explanation evaluate(JdbcConditionEvaluator on, Condition condition)
      throws Exception {
    Explanation e = on.evaluate(condition, NOW).toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals("database", e.condition());
    return e;
  }

  private static void assertLeaf(boolean value, String detail, Condition condition)
      throws Exception {
    Explanation e = evaluate(evaluator, condition);
    assertEquals(detail, e.detail());
    assertEquals(value, e.value(), detail);
  }

  @Test
  void withoutExpectAQueryIsTrueWhenItReturnsARow() throws Exception {
    assertLeaf(
        true,
        "database default: 3 rows (> 0)",
        query(null, "SELECT id FROM orders WHERE status = 'open'", null, null));
    assertLeaf(
        false,
        "database default: 0 rows (not > 0)",
        query("default", "SELECT id FROM orders WHERE status = 'lost';", null, null));
  }

  @Test
  void rowsAreCountedAndCompared() throws Exception {
    String open = "SELECT id FROM orders WHERE status = 'open'";
    assertLeaf(true, "database default: 3 rows (= 3)", query(null, open, null, rows("eq", 3)));
    assertLeaf(false, "database default: 3 rows (not < 3)", query(null, open, null, rows("lt", 3)));
    assertLeaf(true, "database default: 3 rows (<= 3)", query(null, open, null, rows("le", 3)));
    assertLeaf(
        true,
        "database default: 1 row (!= 0)",
        query(null, "WITH c AS (SELECT 1 AS x) SELECT x FROM c", null, rows("ne", 0)));
  }

  @Test
  void theFirstColumnOfTheFirstRowIsComparedAsAValue() throws Exception {
    assertLeaf(
        true,
        "database default: value 3 (>= 3)",
        query(null, "SELECT count(*) FROM orders WHERE status = 'open'", null, value("ge", "3")));
    assertLeaf(
        true,
        "database default: value 10.5 (> 10)",
        query(null, "SELECT total FROM orders WHERE id = 1", null, value("gt", "10")));
    assertLeaf(
        true,
        "database default: value \"closed\" (= \"closed\")",
        query(null, "SELECT status FROM orders WHERE id = 4", null, value("eq", "\"closed\"")));
    assertLeaf(
        true,
        "database default: value true (= true)",
        query(null, "SELECT bool_or(total > 10) FROM orders", null, value("eq", "true")));
    assertLeaf(
        false,
        "database default: value null (not a number, so not > 1)",
        query(null, "SELECT total FROM orders WHERE id = 2", null, value("gt", "1")));
    assertLeaf(
        false,
        "database default: no rows, so no value to compare",
        query(null, "SELECT total FROM orders WHERE id = 99", null, value("eq", "1")));
  }

  @Test
  void aConfiguredDatasourceIsQueriedThroughItsOwnPool() throws Exception {
    assertLeaf(
        true,
        "database warehouse: value 4 (< 10)",
        query("warehouse", "SELECT qty FROM stock WHERE item = 'bolts'", null, value("lt", "10")));
    assertLeaf(
        false,
        "database warehouse: query failed: ERROR: relation \"orders\" does not exist"
            + " (SQLSTATE 42P01)",
        query("warehouse", "SELECT id FROM orders", null, null));
  }

  @Test
  void anUnknownDatasourceIsFalseAndSaysWhereDatasourcesAreConfigured() throws Exception {
    assertLeaf(
        false,
        "database nowhere: no datasource named 'nowhere' is configured"
            + " (orchestrator.scenarios.datasources)",
        query("nowhere", "SELECT 1", null, null));
  }

  @Test
  void aDatasourceThatDoesNotAnswerIsFalseAfterTheConnectTimeout() throws Exception {
    Explanation e = evaluate(evaluator, query("down", "SELECT 1", null, null));
    assertFalse(e.value());
    assertTrue(e.detail().startsWith("database down: cannot connect: "), e.detail());
    assertTrue(e.detail().contains("refused"), e.detail());
  }

  @Test
  void aWriteIsRefusedByTheReadOnlyTransactionAndNothingIsWritten() throws Exception {
    for (String datasource : new String[] {"default", "warehouse"}) {
      Explanation e =
          evaluate(evaluator, query(datasource, "SELECT write_something()", null, null));
      assertFalse(e.value());
      assertEquals(
          "database "
              + datasource
              + ": query failed: ERROR: cannot execute INSERT in a read-only transaction"
              + " (SQLSTATE 25006)",
          e.detail());
    }
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet n = s.executeQuery("SELECT count(*) FROM condition_writes")) {
      n.next();
      assertEquals(0, n.getInt(1));
    }
  }

  @Test
  void aQueryTheValidatorWouldRefuseIsNotRun() throws Exception {
    assertLeaf(
        false,
        "database default: query refused: query must be one read-only statement starting with"
            + " SELECT or WITH",
        query(null, "INSERT INTO condition_writes VALUES (2)", null, null));
    assertLeaf(
        false,
        "database default: query refused: query must only read: 'pg_sleep' is not allowed in a"
            + " condition's query (even in a name or a string)",
        query(null, "SELECT pg_sleep(5)", null, null));
  }

  @Test
  void aQueryPastItsTimeoutIsCancelledAndFalseInAboutTheTimeout() throws Exception {
    long started = System.nanoTime();
    CompletableFuture<Explanation> pending =
        evaluator
            .evaluate(query(null, "SELECT pg_sleep_for('20 seconds')", "500ms", null), NOW)
            .toCompletableFuture();
    assertFalse(pending.isDone(), "the query runs on the blocking executor, not the caller");
    Explanation e = pending.get(30, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertFalse(e.value());
    assertEquals("database default: no answer within 500ms, query cancelled", e.detail());
    assertTrue(took.compareTo(Duration.ofMillis(450)) >= 0, "took " + took);
    assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "took " + took);
  }

  @Test
  void readingStopsAfterMaxRowsAndOnlyComparisonsTheLimitDecidesHold() throws Exception {
    String hundred = "SELECT generate_series(1, 100)";
    assertLeaf(true, "database default: more than 5 rows (> 0)", query(null, hundred, null, null));
    assertLeaf(
        true,
        "database default: more than 5 rows (> 3)",
        query(null, hundred, null, rows("gt", 3)));
    assertLeaf(
        true,
        "database default: more than 5 rows (>= 5)",
        query(null, hundred, null, rows("ge", 5)));
    assertLeaf(
        false,
        "database default: more than 5 rows (not = 5)",
        query(null, hundred, null, rows("eq", 5)));
    assertLeaf(
        false,
        "database default: more than 5 rows, too many to compare with 100; count in the query"
            + " instead (SELECT count(*) ...)",
        query(null, hundred, null, rows("eq", 100)));
    assertLeaf(
        true,
        "database default: 5 rows (= 5)",
        query(null, "SELECT generate_series(1, 5)", null, rows("eq", 5)));
  }

  private static String rows(String op, int value) {
    return "{\"of\": \"rows\", \"op\": \"" + op + "\", \"value\": " + value + "}";
  }

  private static String value(String op, String value) {
    return "{\"of\": \"value\", \"op\": \"" + op + "\", \"value\": " + value + "}";
  }

  @Test
  void theOwnPoolGetsItsConnectionBackAsItWas() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(db.server().jdbcUrl());
    config.setUsername(db.server().user());
    config.setPassword(db.server().password());
    config.setMaximumPoolSize(1);
    try (HikariDataSource single = new HikariDataSource(config);
        JdbcConditionEvaluator own =
            new JdbcConditionEvaluator(
                single, db.blocking(), DatasourceSettings.ownDatabaseOnly())) {
      assertFalse(evaluate(own, query(null, "SELECT write_something()", "1s", null)).value());
      assertTrue(evaluate(own, query(null, "SELECT 1", "1s", null)).value());
      try (Connection c = single.getConnection();
          Statement s = c.createStatement()) {
        assertTrue(c.getAutoCommit());
        assertFalse(c.isReadOnly());
        try (ResultSet timeout = s.executeQuery("SHOW statement_timeout")) {
          timeout.next();
          assertEquals("0", timeout.getString(1), "SET LOCAL ended with the transaction");
        }
        s.execute("INSERT INTO condition_writes VALUES (7)");
        s.execute("DELETE FROM condition_writes");
      }
    }
  }

  @Test
  void aClosedEvaluatorQueriesNothing() throws Exception {
    JdbcConditionEvaluator closed =
        new JdbcConditionEvaluator(
            db.dataSource(), db.blocking(), DatasourceSettings.ownDatabaseOnly());
    closed.close();
    Explanation e = evaluate(closed, query(null, "SELECT 1", null, null));
    assertFalse(e.value());
    assertEquals("database default: the condition evaluator is closed", e.detail());
  }
}
