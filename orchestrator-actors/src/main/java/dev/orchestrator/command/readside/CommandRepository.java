package dev.orchestrator.command.readside;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.command.CommandStatus;
import dev.orchestrator.protocol.command.CommandView;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Queries the {@code commands} table that {@link CommandProjection} keeps. It lags the entities by
 * the projection's delay (a fraction of a second); {@code GET /api/v1/commands/{id}} asks the
 * entity instead.
 */
public final class CommandRepository {
  private static final String COLUMNS =
      "id, name, status, target, attempts, max_attempts, input, output, error, waiting_for,"
          + " idempotency_key, parent_id, created_at, scheduled_at, started_at, next_attempt_at,"
          + " finished_at";

  private final DataSource dataSource;
  private final Executor blockingExecutor;

  public CommandRepository(DataSource dataSource, Executor blockingExecutor) {
    this.dataSource = dataSource;
    this.blockingExecutor = blockingExecutor;
  }

  /**
   * Commands ordered by id, only those in {@code statusOrNull} and named {@code nameOrNull} when
   * given, starting after id {@code afterIdOrNull}, at most {@code limit} (which must be positive;
   * the caller caps it). The next page starts after the last id of this one. Views carry no
   * children (the table does not keep them).
   */
  public CompletionStage<List<CommandView>> list(
      CommandStatus statusOrNull, String nameOrNull, String afterIdOrNull, int limit) {
    if (limit < 1) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("limit must be at least 1, not " + limit));
    }
    return async(() -> query(statusOrNull, nameOrNull, afterIdOrNull, limit));
  }

  /** How many commands are in each status; every status is present, zero when none. */
  public CompletionStage<Map<CommandStatus, Long>> countsByStatus() {
    return async(this::counts);
  }

  private <T> CompletionStage<T> async(SqlSupplier<T> query) {
    Supplier<T> supplier =
        () -> {
          try {
            return query.get();
          } catch (SQLException e) {
            throw new IllegalStateException("cannot read commands: " + e.getMessage(), e);
          }
        };
    return CompletableFuture.supplyAsync(supplier, blockingExecutor);
  }

  @FunctionalInterface
  private interface SqlSupplier<T> {
    T get() throws SQLException;
  }

  private List<CommandView> query(CommandStatus status, String name, String after, int limit)
      throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM commands WHERE true");
    List<Object> params = new ArrayList<>();
    if (status != null) {
      sql.append(" AND status = ?");
      params.add(status.name());
    }
    if (name != null) {
      sql.append(" AND name = ?");
      params.add(name);
    }
    if (after != null) {
      sql.append(" AND id > ?");
      params.add(after);
    }
    sql.append(" ORDER BY id LIMIT ?");
    params.add(limit);
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql.toString())) {
      for (int i = 0; i < params.size(); i++) {
        statement.setObject(i + 1, params.get(i));
      }
      try (ResultSet rows = statement.executeQuery()) {
        List<CommandView> result = new ArrayList<>();
        while (rows.next()) {
          result.add(view(rows));
        }
        return result;
      }
    }
  }

  private Map<CommandStatus, Long> counts() throws SQLException {
    Map<CommandStatus, Long> counts = new EnumMap<>(CommandStatus.class);
    for (CommandStatus status : CommandStatus.values()) {
      counts.put(status, 0L);
    }
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement =
            connection.prepareStatement("SELECT status, count(*) FROM commands GROUP BY status");
        ResultSet rows = statement.executeQuery()) {
      while (rows.next()) {
        counts.put(CommandStatus.valueOf(rows.getString(1)), rows.getLong(2));
      }
    }
    return Collections.unmodifiableMap(counts);
  }

  private static CommandView view(ResultSet row) throws SQLException {
    return new CommandView(
        row.getString("id"),
        row.getString("name"),
        CommandStatus.valueOf(row.getString("status")),
        json(row.getString("input")),
        row.getString("target"),
        row.getInt("attempts"),
        row.getInt("max_attempts"),
        json(row.getString("output")),
        row.getString("error"),
        row.getString("waiting_for"),
        row.getString("idempotency_key"),
        row.getString("parent_id"),
        List.of(),
        instant(row, "created_at"),
        instant(row, "scheduled_at"),
        instant(row, "started_at"),
        instant(row, "next_attempt_at"),
        instant(row, "finished_at"));
  }

  private static JsonNode json(String text) throws SQLException {
    if (text == null) {
      return null;
    }
    try {
      return CommandTableHandler.JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new SQLException("bad JSON in the commands table: " + e.getOriginalMessage(), e);
    }
  }

  private static Instant instant(ResultSet row, String column) throws SQLException {
    OffsetDateTime at = row.getObject(column, OffsetDateTime.class);
    return at == null ? null : at.toInstant();
  }
}
