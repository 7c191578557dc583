package dev.orchestrator.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The versioned schema in {@code db/migration}, applied by {@link Database} to a real PostgreSQL.
 */
class MigrationsTest {
  private static final Set<String> TABLES =
      Set.of(
          "event_journal",
          "event_tag",
          "snapshot",
          "durable_state",
          "akka_projection_offset_store",
          "akka_projection_management",
          "components",
          "api_tokens",
          "audit_log",
          "commands",
          "leases",
          "cluster_members",
          "drills");

  /** The versions shipped in db/migration, as "version true" history rows, in order. */
  private static final List<String> VERSIONS = shippedVersions();

  @org.junit.jupiter.api.Test
  void theListingOfShippedMigrationsIsComplete() {
    assertEquals(List.of("1 true", "2 true", "3 true", "4 true", "5 true"), VERSIONS.subList(0, 5));
  }

  private static List<String> shippedVersions() {
    try (java.util.stream.Stream<java.nio.file.Path> files =
        java.nio.file.Files.list(
            java.nio.file.Path.of(MigrationsTest.class.getResource("/db/migration").toURI()))) {
      return files
          .map(f -> f.getFileName().toString())
          .filter(n -> n.matches("V\\d+__.*\\.sql"))
          .map(n -> Integer.parseInt(n.substring(1, n.indexOf("__"))))
          .sorted()
          .map(v -> v + " true")
          .toList();
    } catch (Exception e) {
      throw new IllegalStateException("cannot list db/migration", e);
    }
  }

  @TempDir static Path tempDir;
  private static EmbeddedDatabase server;
  private static final AtomicInteger databases = new AtomicInteger();

  @BeforeAll
  static void startServer() throws Exception {
    server = EmbeddedDatabase.start(tempDir.resolve("pg"));
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  /** A new, empty database on the server, as a fresh deployment sees it. */
  private static DatabaseSettings freshDatabase() throws SQLException {
    String name = "migrations_" + databases.incrementAndGet();
    try (Connection c =
            DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return settings("jdbc:postgresql://localhost:" + server.port() + "/" + name);
  }

  static DatabaseSettings settings(String url) {
    return new DatabaseSettings(url, "postgres", "", 4, Duration.ofSeconds(2));
  }

  @Test
  void migratingTwiceAppliesTheSchemaOnce() throws Exception {
    try (Database database = Database.connect(freshDatabase())) {
      MigrateResult first = database.migrate();
      assertTrue(first.success);
      assertEquals(VERSIONS.size(), first.migrationsExecuted);
      // The highest version, not the count: versions may leave gaps (branches merged later).
      String last = VERSIONS.get(VERSIONS.size() - 1);
      assertEquals(last.substring(0, last.indexOf(' ')), first.targetSchemaVersion);

      MigrateResult second = database.migrate();
      assertTrue(second.success);
      assertEquals(0, second.migrationsExecuted);

      assertTrue(tables(database).containsAll(TABLES), () -> "tables: " + tables(database));
      assertEquals(VERSIONS, history(database));
    }
  }

  @Test
  void eventTagHasAnIndexOnTag() throws Exception {
    try (Database database = Database.connect(freshDatabase())) {
      database.migrate();
      try (Connection c = database.connection();
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT tablename, indexdef FROM pg_indexes"
                      + " WHERE schemaname = 'public' AND indexname = 'event_tag_tag_idx'")) {
        assertTrue(rs.next(), "event_tag_tag_idx is missing");
        assertEquals("event_tag", rs.getString(1));
        assertTrue(rs.getString(2).endsWith("(tag)"), rs.getString(2));
      }
    }
  }

  @RepeatedTest(3)
  void twoNodesMigratingAFreshDatabaseAtOnceApplyTheSchemaOnce() throws Exception {
    DatabaseSettings fresh = freshDatabase();
    ExecutorService nodes = Executors.newFixedThreadPool(2);
    try (Database node1 = Database.connect(fresh);
        Database node2 = Database.connect(fresh)) {
      CyclicBarrier together = new CyclicBarrier(2);
      List<CompletableFuture<MigrateResult>> runs = new ArrayList<>();
      for (Database node : List.of(node1, node2)) {
        runs.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    together.await(10, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    throw new IllegalStateException("the other node never came", e);
                  }
                  return node.migrate();
                },
                nodes));
      }
      MigrateResult a = runs.get(0).get(60, TimeUnit.SECONDS);
      MigrateResult b = runs.get(1).get(60, TimeUnit.SECONDS);

      assertTrue(a.success && b.success);
      assertEquals(
          VERSIONS.size(), a.migrationsExecuted + b.migrationsExecuted, "each migration ran once");
      assertEquals(VERSIONS, history(node1));
      assertTrue(tables(node2).containsAll(TABLES));
    } finally {
      nodes.shutdownNow();
    }
  }

  @Test
  void pingIsTrueOnlyOnceTheJournalExists() throws Exception {
    Database database = Database.connect(freshDatabase());
    try {
      assertFalse(database.ping(), "no journal table yet");
      database.migrate();
      assertTrue(database.ping());
    } finally {
      database.close();
    }
    assertFalse(database.ping(), "the pool is closed");
  }

  private static Set<String> tables(Database database) {
    try (Connection c = database.connection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")) {
      Set<String> tables = new TreeSet<>();
      while (rs.next()) {
        tables.add(rs.getString(1));
      }
      return tables;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> history(Database database) throws SQLException {
    try (Connection c = database.connection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT version, success FROM flyway_schema_history ORDER BY installed_rank")) {
      List<String> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(rs.getString(1) + " " + rs.getBoolean(2));
      }
      return rows;
    }
  }
}
