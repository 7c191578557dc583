package dev.orchestrator.scenario.condition;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchestrator.protocol.scenario.Condition;
import dev.orchestrator.protocol.scenario.Explanation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * {@code health: {target, reachable, field, op, value}}: true when every component the target names
 * is (or is not) reachable ({@code components.unreachable}) and the value at the dotted {@code
 * field} of its last health report ({@code components.health}) compares with {@code value} by
 * {@code op}; both parts must hold when both are given. No report, or no such field, is false.
 */
final class HealthLeaf {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DataSource dataSource;
  private final Executor blocking;

  HealthLeaf(DataSource dataSource, Executor blocking) {
    this.dataSource = dataSource;
    this.blocking = blocking;
  }

  CompletionStage<Explanation> evaluate(Condition.HealthCheck leaf) {
    return BlockingRead.run(
        blocking,
        "health",
        leaf.target(),
        () -> Targets.explain("health", leaf.target(), judge(leaf)));
  }

  private List<Targets.Judged> judge(Condition.HealthCheck leaf) throws SQLException {
    List<Targets.Judged> judged = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select =
            Targets.select(connection, "id, unreachable, health::text AS health", leaf.target());
        ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        judged.add(
            judge(
                leaf,
                rows.getString("id"),
                !rows.getBoolean("unreachable"),
                rows.getString("health")));
      }
    }
    return judged;
  }

  static Targets.Judged judge(
      Condition.HealthCheck leaf, String id, boolean reachable, String health) {
    List<String> parts = new ArrayList<>();
    boolean passes = true;
    if (leaf.reachable() != null) {
      String is = reachable ? "reachable" : "unreachable";
      if (reachable == leaf.reachable()) {
        parts.add(is);
      } else {
        passes = false;
        parts.add(is + " (want " + (leaf.reachable() ? "reachable" : "unreachable") + ")");
      }
    }
    if (leaf.field() != null) {
      JsonNode report = parse(health);
      if (report == null) {
        passes = false;
        parts.add(health == null ? "no health report yet" : "health report is not JSON");
      } else {
        JsonNode found = at(report, leaf.field());
        if (found.isMissingNode()) {
          passes = false;
          parts.add(leaf.field() + " missing from the health report");
        } else {
          Comparison.Outcome outcome = Comparison.compare(found, leaf.op(), leaf.value());
          passes &= outcome.value();
          parts.add(leaf.field() + " " + found + " (" + outcome.relation() + ")");
        }
      }
    }
    return new Targets.Judged(id, passes, id + ": " + String.join(", ", parts));
  }

  /** The node at a dotted path ({@code battery.level}); a missing node when any step is absent. */
  static JsonNode at(JsonNode root, String dottedPath) {
    JsonNode node = root;
    for (String name : dottedPath.split("\\.", -1)) {
      node = node.path(name);
    }
    return node;
  }

  private static JsonNode parse(String health) {
    if (health == null) {
      return null;
    }
    try {
      return JSON.readTree(health);
    } catch (JsonProcessingException e) {
      return null;
    }
  }
}
