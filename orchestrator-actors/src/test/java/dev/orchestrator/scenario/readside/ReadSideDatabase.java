package dev.orchestrator.scenario.readside;

import dev.orchestrator.db.Database;
import dev.orchestrator.db.DatabaseSettings;
import dev.orchestrator.db.EmbeddedDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.sql.DataSource;

/** A real PostgreSQL with the real migrations, and a pool for the repositories' blocking reads. */
final class ReadSideDatabase implements AutoCloseable {
  final EmbeddedDatabase server;
  final Database database;
  final ExecutorService blocking;

  private ReadSideDatabase(EmbeddedDatabase server, Database database) {
    this.server = server;
    this.database = database;
    this.blocking = Executors.newFixedThreadPool(2);
  }

  static ReadSideDatabase start(Path dir) throws Exception {
    EmbeddedDatabase server = EmbeddedDatabase.start(dir);
    try {
      Database database =
          Database.connect(
              new DatabaseSettings(
                  server.jdbcUrl(), server.user(), server.password(), 4, Duration.ofSeconds(10)));
      database.migrate();
      return new ReadSideDatabase(server, database);
    } catch (Exception | Error e) {
      server.close();
      throw e;
    }
  }

  DataSource dataSource() {
    return database.dataSource();
  }

  void execute(String sql) throws SQLException {
    try (Connection c = dataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** Every row of {@code query}, every column as text: to compare a table before and after. */
  List<String> dump(String query) throws SQLException {
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
    database.close();
    server.close();
  }
}
