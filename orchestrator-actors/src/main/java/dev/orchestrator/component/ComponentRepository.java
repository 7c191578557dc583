package dev.orchestrator.component;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchestrator.protocol.component.BreakerState;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.SimulatedFault;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/** Queries the {@code components} table that {@link ComponentProjection} keeps. */
public final class ComponentRepository {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final DataSource dataSource;
  private final Executor blockingExecutor;

  public ComponentRepository(DataSource dataSource, Executor blockingExecutor) {
    this.dataSource = dataSource;
    this.blockingExecutor = blockingExecutor;
  }

  /**
   * Components ordered by id, optionally only those in {@code group} and {@code state}, starting
   * after id {@code after}, at most {@code limit}.
   */
  public CompletionStage<List<ComponentView>> list(
      String group, FsmState state, String after, int limit) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return query(group, state, after, limit);
          } catch (SQLException e) {
            throw new IllegalStateException("cannot read components: " + e.getMessage(), e);
          }
        },
        blockingExecutor);
  }

  private List<ComponentView> query(String group, FsmState state, String after, int limit)
      throws SQLException {
    StringBuilder sql = new StringBuilder("SELECT * FROM components WHERE true");
    List<Object> params = new ArrayList<>();
    if (group != null) {
      sql.append(" AND ? = ANY(groups)");
      params.add(group);
    }
    if (state != null) {
      sql.append(" AND state = ?");
      params.add(state.name());
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
        List<ComponentView> result = new ArrayList<>();
        while (rows.next()) {
          result.add(view(rows));
        }
        return result;
      }
    }
  }

  private static ComponentView view(ResultSet row) throws SQLException {
    ComponentSpec spec =
        new ComponentSpec(
            row.getString("driver"),
            row.getString("endpoint"),
            strings(row.getArray("groups")),
            strings(row.getArray("depends_on")),
            Duration.ofMillis(row.getLong("poll_interval_ms")));
    String desired = row.getString("desired_state");
    return new ComponentView(
        row.getString("id"),
        spec,
        FsmState.valueOf(row.getString("state")),
        desired == null ? null : FsmState.valueOf(desired),
        json(row.getString("health")),
        row.getBoolean("unreachable"),
        BreakerState.valueOf(row.getString("breaker")),
        SimulatedFault.valueOf(row.getString("fault")),
        instant(row.getTimestamp("last_seen")),
        row.getString("error"),
        instant(row.getTimestamp("registered_at")),
        instant(row.getTimestamp("updated_at")),
        // Fencing is the entity's (GET /api/v1/components/{id}); the list does not show it.
        0,
        0);
  }

  private static JsonNode json(String text) throws SQLException {
    if (text == null) {
      return null;
    }
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new SQLException("health is not JSON: " + e.getMessage(), e);
    }
  }

  private static List<String> strings(Array array) throws SQLException {
    return array == null ? List.of() : Arrays.asList((String[]) array.getArray());
  }

  private static Instant instant(Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }
}
