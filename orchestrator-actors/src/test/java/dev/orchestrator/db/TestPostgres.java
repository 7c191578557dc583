package dev.orchestrator.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;

/**
 * A real PostgreSQL (embedded binaries) with the orchestrator's migrations, for the tests of what
 * reads and writes its tables: an executor for their blocking reads, a way to put rows in the
 * tables and to dump them.
 */
public final class TestPostgres implements AutoCloseable {
  private final EmbeddedDatabase server;
  private final Database database;
  private final ExecutorService blocking = Executors.newFixedThreadPool(4);

  private TestPostgres(EmbeddedDatabase server, Database database) {
    this.server = server;
    this.database = database;
  }

  /** Starts a server with its data in {@code dir} (created) and migrates it. */
  public static TestPostgres start(Path dir) throws Exception {
    EmbeddedDatabase server = EmbeddedDatabase.start(dir);
    try {
      Database database =
          Database.connect(
              new DatabaseSettings(
                  server.jdbcUrl(), server.user(), server.password(), 4, Duration.ofSeconds(10)));
      database.migrate();
      return new TestPostgres(server, database);
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
  }

  public EmbeddedDatabase server() {
    return server;
  }

  public Database database() {
    return database;
  }

  public DataSource dataSource() {
    return database.dataSource();
  }

  public ExecutorService blocking() {
    return blocking;
  }

  /** Runs one statement with its parameters; Instants are bound as timestamps. */
  public void execute(String sql, Object... params) throws SQLException {
    try (Connection c = dataSource().getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        Object p = params[i];
        s.setObject(i + 1, p instanceof Instant at ? Timestamp.from(at) : p);
      }
      s.execute();
    }
  }

  /** Every row of {@code query}, every column as text: to compare a table before and after. */
  public List<String> dump(String query) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(query)) {
      int columns = r.getMetaData().getColumnCount();
      while (r.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          row.append(r.getMetaData().getColumnName(i)).append('=').append(r.getString(i));
          row.append(' ');
        }
        rows.add(row.toString());
      }
    }
    return rows;
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
