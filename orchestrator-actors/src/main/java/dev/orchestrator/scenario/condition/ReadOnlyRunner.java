package dev.orchestrator.scenario.condition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

/**
 * Runs a {@code database} condition's query so that it can only read and cannot run long: on a
 * read-only connection, in a transaction that is itself read-only ({@code SET TRANSACTION READ
 * ONLY}) and always rolled back, with the statement timeout set twice (on the server with {@code
 * SET LOCAL statement_timeout}, which the rollback undoes, and by the driver), and no more than a
 * given number of rows read. The connection is handed back as it was received.
 */
final class ReadOnlyRunner {
  /** SQLSTATE of a statement cancelled, here at its timeout. */
  static final String QUERY_CANCELED = "57014";

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int FETCH_SIZE = 500;

  private ReadOnlyRunner() {}

  /**
   * What a query returned.
   *
   * @param rows how many rows were read, at most the limit
   * @param more whether there were more rows than the limit
   * @param first the first column of the first row (a JSON null for SQL NULL); null without rows
   */
  record Result(long rows, boolean more, JsonNode first) {}

  /** Restores the connection whatever happened in the transaction. */
  private interface Restore extends AutoCloseable {
    @Override
    void close() throws SQLException;
  }

  static Result run(Connection connection, String query, Duration timeout, int limit)
      throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    boolean readOnly = connection.isReadOnly();
    connection.setAutoCommit(false);
    Restore restore =
        () -> {
          try {
            connection.rollback();
          } finally {
            connection.setReadOnly(readOnly);
            connection.setAutoCommit(autoCommit);
          }
        };
    try (restore) {
      connection.setReadOnly(true);
      try (Statement settings = connection.createStatement()) {
        settings.execute("SET TRANSACTION READ ONLY");
        if (isPostgres(connection)) {
          settings.execute("SET LOCAL statement_timeout = " + Math.max(1, timeout.toMillis()));
        }
      }
      try (Statement statement = connection.createStatement()) {
        statement.setQueryTimeout((int) Math.max(1, (timeout.toMillis() + 999) / 1000));
        statement.setMaxRows(limit + 1);
        statement.setFetchSize(Math.min(limit + 1, FETCH_SIZE));
        try (ResultSet rows = statement.executeQuery(query)) {
          long read = 0;
          JsonNode first = null;
          while (read <= limit && rows.next()) {
            if (read == 0) {
              first = value(rows.getObject(1));
            }
            read++;
          }
          return new Result(Math.min(read, limit), read > limit, first);
        }
      }
    }
  }

  private static boolean isPostgres(Connection connection) throws SQLException {
    return "PostgreSQL".equals(connection.getMetaData().getDatabaseProductName());
  }

  /** A column's value as the comparison reads it: numbers, booleans, text, else its text. */
  static JsonNode value(Object value) {
    if (value == null) {
      return NODES.nullNode();
    } else if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    } else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return NODES.numberNode(((Number) value).intValue());
    } else if (value instanceof Long l) {
      return NODES.numberNode(l);
    } else if (value instanceof BigDecimal d) {
      return NODES.numberNode(d);
    } else if (value instanceof BigInteger i) {
      return NODES.numberNode(i);
    } else if (value instanceof Float f && Float.isFinite(f)) {
      // Through its text, so that 0.1 (real) compares equal to 0.1 and not to 0.100000001...
      return NODES.numberNode(new BigDecimal(f.toString()));
    } else if (value instanceof Double || value instanceof Float) {
      return NODES.numberNode(((Number) value).doubleValue());
    }
    return NODES.textNode(value.toString());
  }
}
