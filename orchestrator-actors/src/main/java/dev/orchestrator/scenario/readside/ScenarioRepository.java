package dev.orchestrator.scenario.readside;

import dev.orchestrator.protocol.scenario.RunStatus;
import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.protocol.scenario.ScenarioCommand;
import dev.orchestrator.protocol.scenario.ScenarioView;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Queries the {@code scenarios} table that {@link ScenarioProjection} keeps. It lags the entities
 * by the projection's delay (a fraction of a second); {@code GET /api/v1/scenarios/{name}} asks the
 * entity instead.
 */
public final class ScenarioRepository {
  private static final String COLUMNS =
      "name, version, source, enabled, blocked, definition, running_ids, runs, succeeded, failed,"
          + " executions_since_ack, last_started_at, last_ended_at, last_result, updated_at";

  private final DataSource dataSource;
  private final Executor blockingExecutor;
  private final Clock clock;

  public ScenarioRepository(DataSource dataSource, Executor blockingExecutor) {
    this(dataSource, blockingExecutor, Clock.systemUTC());
  }

  /** With {@code clock} telling whether a cooldown is still under way. */
  public ScenarioRepository(DataSource dataSource, Executor blockingExecutor, Clock clock) {
    this.dataSource = dataSource;
    this.blockingExecutor = blockingExecutor;
    this.clock = clock;
  }

  /**
   * Every scenario in priority order (lower first, then by name), only those whose trigger is of
   * {@code triggerTypeOrNull} and whose enabled flag is {@code enabledOrNull} when given.
   */
  public CompletionStage<List<ScenarioView>> list(String triggerTypeOrNull, Boolean enabledOrNull) {
    return Sql.async(blockingExecutor, "scenarios", () -> query(triggerTypeOrNull, enabledOrNull));
  }

  /** The scenario named {@code name}, as the read side has it. */
  public CompletionStage<Optional<ScenarioView>> find(String name) {
    return Sql.async(
        blockingExecutor,
        "scenarios",
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement s =
                  c.prepareStatement("SELECT " + COLUMNS + " FROM scenarios WHERE name = ?")) {
            s.setString(1, name);
            try (ResultSet rows = s.executeQuery()) {
              return rows.next() ? Optional.of(view(rows)) : Optional.empty();
            }
          }
        });
  }

  private List<ScenarioView> query(String triggerType, Boolean enabled) throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM scenarios WHERE true");
    List<Object> params = new ArrayList<>();
    if (triggerType != null) {
      sql.append(" AND trigger_type = ?");
      params.add(triggerType);
    }
    if (enabled != null) {
      sql.append(" AND enabled = ?");
      params.add(enabled);
    }
    sql.append(" ORDER BY priority, name");
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql.toString())) {
      for (int i = 0; i < params.size(); i++) {
        s.setObject(i + 1, params.get(i));
      }
      try (ResultSet rows = s.executeQuery()) {
        List<ScenarioView> result = new ArrayList<>();
        while (rows.next()) {
          result.add(view(rows));
        }
        return result;
      }
    }
  }

  private ScenarioView view(ResultSet row) throws SQLException {
    Scenario definition = Sql.json(row.getString("definition"), Scenario.class, "scenarios");
    Instant lastStarted = Sql.instant(row, "last_started_at");
    Instant cooldownUntil =
        lastStarted == null || definition.cooldown().isZero()
            ? null
            : lastStarted.plus(definition.cooldown());
    if (cooldownUntil != null && !cooldownUntil.isAfter(clock.instant())) {
      cooldownUntil = null;
    }
    String lastResult = row.getString("last_result");
    Array running = row.getArray("running_ids");
    return new ScenarioView(
        row.getString("name"),
        row.getLong("version"),
        ScenarioCommand.Source.valueOf(row.getString("source")),
        row.getBoolean("enabled"),
        row.getBoolean("blocked"),
        definition,
        List.copyOf(Arrays.asList((String[]) running.getArray())),
        row.getLong("runs"),
        row.getLong("succeeded"),
        row.getLong("failed"),
        row.getLong("executions_since_ack"),
        lastStarted,
        Sql.instant(row, "last_ended_at"),
        lastResult == null ? null : RunStatus.valueOf(lastResult),
        cooldownUntil,
        Sql.instant(row, "updated_at"));
  }
}
