package dev.orchestrator.scenario.readside;

import dev.orchestrator.protocol.scenario.RunStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Queries the {@code scenario_runs} table that {@link ScenarioRunProjection} keeps. It lags the run
 * entities by the projection's delay; {@code GET /api/v1/runs/{id}} asks the entity instead.
 */
public final class ScenarioRunRepository {
  private static final String COLUMNS =
      "id, scenario, version, status, trigger_type, trigger_source, parent_run_id, steps_done,"
          + " error, created_at, finished_at";

  /** A page cursor that names no run: the caller sent an {@code after} it did not get from us. */
  public static final class UnknownCursor extends IllegalArgumentException {
    UnknownCursor(String runId) {
      super("after names run '" + runId + "', which is not in the list; use the 'next' of a page");
    }
  }

  private final DataSource dataSource;
  private final Executor blockingExecutor;

  public ScenarioRunRepository(DataSource dataSource, Executor blockingExecutor) {
    this.dataSource = dataSource;
    this.blockingExecutor = blockingExecutor;
  }

  /**
   * Runs newest first (by creation, then id), only those of {@code scenarioOrNull} and in {@code
   * statusOrNull} when given, starting after run {@code afterIdOrNull}, at most {@code limit}
   * (which must be positive; the caller caps it). The next page starts after the last id of this
   * one. An {@code afterIdOrNull} that names no run fails the stage with {@link UnknownCursor}.
   */
  public CompletionStage<List<ScenarioRunSummary>> list(
      String scenarioOrNull, RunStatus statusOrNull, String afterIdOrNull, int limit) {
    if (limit < 1) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("limit must be at least 1, not " + limit));
    }
    return Sql.async(
        blockingExecutor,
        "scenario runs",
        () -> query(scenarioOrNull, statusOrNull, afterIdOrNull, limit));
  }

  /** How many runs are under way, of {@code scenarioOrNull} only when given. */
  public CompletionStage<Long> countRunning(String scenarioOrNull) {
    return Sql.async(
        blockingExecutor,
        "scenario runs",
        () -> {
          String sql =
              "SELECT count(*) FROM scenario_runs WHERE status = '"
                  + RunStatus.RUNNING
                  + "'"
                  + (scenarioOrNull == null ? "" : " AND scenario = ?");
          try (Connection c = dataSource.getConnection();
              PreparedStatement s = c.prepareStatement(sql)) {
            if (scenarioOrNull != null) {
              s.setString(1, scenarioOrNull);
            }
            try (ResultSet rows = s.executeQuery()) {
              rows.next();
              return rows.getLong(1);
            }
          }
        });
  }

  private List<ScenarioRunSummary> query(String scenario, RunStatus status, String after, int limit)
      throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM scenario_runs WHERE true");
      List<Object> params = new ArrayList<>();
      if (scenario != null) {
        sql.append(" AND scenario = ?");
        params.add(scenario);
      }
      if (status != null) {
        sql.append(" AND status = ?");
        params.add(status.name());
      }
      if (after != null) {
        sql.append(" AND (created_at, id) < (?, ?)");
        params.add(createdAt(c, after));
        params.add(after);
      }
      sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
      params.add(limit);
      try (PreparedStatement s = c.prepareStatement(sql.toString())) {
        for (int i = 0; i < params.size(); i++) {
          s.setObject(i + 1, params.get(i));
        }
        try (ResultSet rows = s.executeQuery()) {
          List<ScenarioRunSummary> result = new ArrayList<>();
          while (rows.next()) {
            result.add(summary(rows));
          }
          return result;
        }
      }
    }
  }

  private static OffsetDateTime createdAt(Connection c, String runId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT created_at FROM scenario_runs WHERE id = ?")) {
      s.setString(1, runId);
      try (ResultSet rows = s.executeQuery()) {
        if (!rows.next()) {
          throw new UnknownCursor(runId);
        }
        return rows.getObject(1, OffsetDateTime.class);
      }
    }
  }

  private static ScenarioRunSummary summary(ResultSet row) throws SQLException {
    return new ScenarioRunSummary(
        row.getString("id"),
        row.getString("scenario"),
        row.getLong("version"),
        RunStatus.valueOf(row.getString("status")),
        row.getString("trigger_type"),
        row.getString("trigger_source"),
        row.getString("parent_run_id"),
        row.getInt("steps_done"),
        row.getString("error"),
        Sql.instant(row, "created_at"),
        Sql.instant(row, "finished_at"));
  }
}
