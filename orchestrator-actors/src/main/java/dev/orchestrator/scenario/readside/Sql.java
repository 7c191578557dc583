package dev.orchestrator.scenario.readside;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** The JDBC chores the scenario read side repeats: times, JSON columns, queries off the caller. */
final class Sql {
  /** Reads and writes the JSONB columns; the scenario model carries its own annotations. */
  static final ObjectMapper JSON = new ObjectMapper();

  private Sql() {}

  @FunctionalInterface
  interface Query<T> {
    T get() throws SQLException;
  }

  /**
   * Runs {@code query} on {@code executor}; an SQL failure fails the stage, saying what it read.
   */
  static <T> CompletionStage<T> async(Executor executor, String what, Query<T> query) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return query.get();
          } catch (SQLException e) {
            throw new IllegalStateException("cannot read " + what + ": " + e.getMessage(), e);
          }
        },
        executor);
  }

  static void timestamp(PreparedStatement s, int index, Instant at) throws SQLException {
    if (at == null) {
      s.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      s.setObject(index, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
    }
  }

  static Instant instant(ResultSet row, String column) throws SQLException {
    OffsetDateTime at = row.getObject(column, OffsetDateTime.class);
    return at == null ? null : at.toInstant();
  }

  static String json(Object value) throws SQLException {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new SQLException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  static <T> T json(String text, Class<T> type, String table) throws SQLException {
    try {
      return JSON.readValue(text, type);
    } catch (JsonProcessingException e) {
      throw new SQLException("bad JSON in the " + table + " table: " + e.getOriginalMessage(), e);
    }
  }
}
