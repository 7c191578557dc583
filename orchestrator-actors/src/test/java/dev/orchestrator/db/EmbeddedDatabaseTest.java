package dev.orchestrator.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dev-mode database on a real PostgreSQL: restarts keep the data, a directory has one owner,
 * and a postmaster left behind by a killed node (a child JVM here) is taken over.
 */
class EmbeddedDatabaseTest {
  private static final Duration CHILD_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path tempDir;

  /** A failed test must not leave a PostgreSQL behind: stop whatever still runs on its data. */
  @AfterEach
  void stopLeftoverPostmaster() throws Exception {
    Optional<ProcessHandle> leftover =
        postmasterPid(tempDir.resolve("pg"))
            .flatMap(ProcessHandle::of)
            .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
    if (leftover.isPresent()) {
      leftover.get().destroyForcibly();
      leftover.get().onExit().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void dataSurvivesACloseAndARestartOnTheSameDirectory() throws Exception {
    Path dataDir = tempDir.resolve("pg");
    EmbeddedDatabase first = EmbeddedDatabase.start(dataDir);
    Database database = Database.connect(MigrationsTest.settings(first.jdbcUrl()));
    String schemaVersion;
    try {
      schemaVersion = database.migrate().targetSchemaVersion;
      assertTrue(database.ping());
      execute(first, "CREATE TABLE kept (value TEXT NOT NULL)");
      execute(first, "INSERT INTO kept VALUES ('before the restart')");
    } finally {
      first.close();
    }
    try {
      assertFalse(database.ping(), "the server is stopped");
    } finally {
      database.close();
    }
    assertFalse(Files.exists(dataDir.resolve("postmaster.pid")), "a clean stop removes it");

    try (EmbeddedDatabase second = EmbeddedDatabase.start(dataDir)) {
      assertEquals("before the restart", queryString(second, "SELECT value FROM kept"));
      assertEquals(
          schemaVersion,
          queryString(
              second,
              "SELECT version FROM flyway_schema_history ORDER BY installed_rank DESC LIMIT 1"));
    }
  }

  @Test
  void aSecondStartInThisJvmOrAnotherIsRefusedAndTheRunningDatabaseKeepsWorking() throws Exception {
    Path dataDir = tempDir.resolve("pg");
    try (EmbeddedDatabase running = EmbeddedDatabase.start(dataDir)) {
      long postmaster = postmasterPid(dataDir).orElseThrow();

      IllegalStateException refused =
          assertThrows(IllegalStateException.class, () -> EmbeddedDatabase.start(dataDir));
      assertTrue(refused.getMessage().contains(dataDir.toString()), refused.getMessage());
      assertTrue(
          refused.getMessage().contains("already in use by this process; close the running one"),
          "says what to do: " + refused.getMessage());
      assertEquals("1", queryString(running, "SELECT 1"));

      // The refusal above must not have let go of the directory: another node is kept out too.
      try (ChildJvm other = ChildJvm.start("start", dataDir)) {
        String line = other.awaitLine(EmbeddedDatabaseChildMain.REFUSED, CHILD_TIMEOUT);
        assertTrue(line.contains("the database in " + dataDir), line);
        assertTrue(
            line.contains("in use by another running node; stop it or choose another"),
            "says what to do: " + line);
        assertEquals(EmbeddedDatabaseChildMain.REFUSED_STATUS, other.awaitExit(CHILD_TIMEOUT));
      }
      assertEquals(Optional.of(postmaster), postmasterPid(dataDir));
      assertEquals("1", queryString(running, "SELECT 1"));
    }
  }

  @Test
  void aPostmasterOrphanedByAKilledJvmIsStoppedAndItsDataKept() throws Exception {
    Path dataDir = tempDir.resolve("pg");
    ProcessHandle orphan;
    try (ChildJvm node = ChildJvm.start("hold", dataDir)) {
      node.awaitLine(EmbeddedDatabaseChildMain.READY, CHILD_TIMEOUT);
      orphan = ProcessHandle.of(postmasterPid(dataDir).orElseThrow()).orElseThrow();
      node.kill(CHILD_TIMEOUT);
    }
    assertTrue(orphan.isAlive(), "PostgreSQL outlives a JVM killed with SIGKILL");

    try (EmbeddedDatabase restarted = EmbeddedDatabase.start(dataDir)) {
      assertFalse(orphan.isAlive(), "the orphan is stopped before the new start");
      assertNotEquals(orphan.pid(), postmasterPid(dataDir).orElseThrow());
      assertEquals(
          EmbeddedDatabaseChildMain.KEPT_VALUE, queryString(restarted, "SELECT value FROM kept"));
    }
  }

  private static Optional<Long> postmasterPid(Path dataDir) throws Exception {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return Optional.empty();
    }
    return Optional.of(
        Long.parseLong(Files.readAllLines(pidFile, StandardCharsets.UTF_8).get(0).trim()));
  }

  static void execute(EmbeddedDatabase db, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  static String queryString(EmbeddedDatabase db, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next(), "no row from " + sql);
      return rs.getString(1);
    }
  }
}
