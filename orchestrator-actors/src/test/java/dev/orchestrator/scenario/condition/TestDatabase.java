package dev.orchestrator.scenario.condition;

import dev.orchestrator.db.Database;
import dev.orchestrator.db.DatabaseSettings;
import dev.orchestrator.db.EmbeddedDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;

/**
 * A real PostgreSQL with the orchestrator's migrations for the leaf tests, an executor for their
 * blocking reads, and a way to put rows in the tables.
 */
final class TestDatabase implements AutoCloseable {
  private final EmbeddedDatabase server;
  private final Database database;
  private final ExecutorService blocking = Executors.newFixedThreadPool(4);

  private TestDatabase(EmbeddedDatabase server, Database database) {
    this.server = server;
    this.database = database;
  }

  static TestDatabase start(Path dir) throws Exception {
    EmbeddedDatabase server = EmbeddedDatabase.start(dir.resolve("pg"));
    try {
      Database database =
          Database.connect(
              new DatabaseSettings(
                  server.jdbcUrl(), server.user(), server.password(), 4, Duration.ofSeconds(10)));
      database.migrate();
      return new TestDatabase(server, database);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
  }

  EmbeddedDatabase server() {
    return server;
  }

  DataSource dataSource() {
    return database.dataSource();
  }

  ExecutorService blocking() {
    return blocking;
  }

  /** Runs one statement with its parameters; Instants are bound as timestamps. */
  void execute(String sql, Object... params) throws SQLException {
    try (Connection c = dataSource().getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        Object p = params[i];
        s.setObject(i + 1, p instanceof Instant at ? Timestamp.from(at) : p);
      }
      s.execute();
    }
  }

  @Override
  public void close() throws Exception {
    blocking.shutdownNow();
    try {
      database.close();
    } finally {
      server.close();
    }
  }
}
