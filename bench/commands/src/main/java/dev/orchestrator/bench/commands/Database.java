package dev.orchestrator.bench.commands;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * One embedded PostgreSQL (zonky, real binaries) on a temporary data directory with {@code fsync}
 * and {@code synchronous_commit} on, shared by both systems: the orchestrator uses database {@code
 * postgres}, db-scheduler a database of its own on the same server.
 */
public final class Database implements AutoCloseable {
  public static final String USER = "postgres";

  private final EmbeddedPostgres postgres;
  private final Path dataDir;

  private Database(EmbeddedPostgres postgres, Path dataDir) {
    this.postgres = postgres;
    this.dataDir = dataDir;
  }

  public static Database start() throws IOException {
    Path dataDir = Files.createTempDirectory("bench-commands-pg-");
    try {
      EmbeddedPostgres pg =
          EmbeddedPostgres.builder()
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(true)
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("full_page_writes", "on")
              .setServerConfig("max_connections", "200")
              .setPGStartupWait(Duration.ofSeconds(60))
              .start();
      return new Database(pg, dataDir);
    } catch (IOException | RuntimeException e) {
      deleteTree(dataDir);
      throw e;
    }
  }

  public int port() {
    return postgres.getPort();
  }

  /** Always 127.0.0.1: the bench never talks to any other address. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
  }

  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(jdbcUrl(database), USER, "");
  }

  /** The postmaster's pid (first line of postmaster.pid), for run.sh's last-resort cleanup. */
  public OptionalLong postmasterPid() {
    try {
      List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8);
      return lines.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  public Path dataDir() {
    return dataDir;
  }

  /** "PostgreSQL 14.15 ..., fsync=on, synchronous_commit=on". */
  public String describe() {
    try (Connection c = connect("postgres");
        Statement s = c.createStatement()) {
      String version = one(s, "SHOW server_version");
      return "PostgreSQL "
          + version
          + " (embedded, same machine), fsync="
          + one(s, "SHOW fsync")
          + ", synchronous_commit="
          + one(s, "SHOW synchronous_commit")
          + ", full_page_writes="
          + one(s, "SHOW full_page_writes")
          + ", shared_buffers="
          + one(s, "SHOW shared_buffers");
    } catch (SQLException e) {
      return "PostgreSQL (could not describe: " + e.getMessage() + ")";
    }
  }

  /** A checkpoint, so that the previous phase's dirty pages are not flushed during the next. */
  public void checkpoint() {
    try (Connection c = connect("postgres");
        Statement s = c.createStatement()) {
      s.execute("CHECKPOINT");
    } catch (SQLException e) {
      System.out.println("  (checkpoint failed: " + e.getMessage() + ")");
    }
  }

  private static String one(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Override
  public void close() {
    // setCleanDataDirectory(true): closing also deletes the data directory.
    try {
      postgres.close();
    } catch (IOException | RuntimeException e) {
      System.err.println("stopping PostgreSQL: " + e);
    }
  }

  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  // best effort
                }
              });
    } catch (IOException e) {
      // best effort
    }
  }
}
