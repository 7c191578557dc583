package dev.orchestrator.lifecycle;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Every registered component's groups and dependencies, from the {@code components} read table
 * (what the projection folded so far: a component registered a moment ago may be missing for a
 * fraction of a second).
 */
public final class ComponentTopology {

  /** One component's place in the topology. */
  public record Node(String id, List<String> groups, List<String> dependsOn) {}

  private final DataSource dataSource;
  private final Executor blocking;

  public ComponentTopology(DataSource dataSource, Executor blocking) {
    this.dataSource = dataSource;
    this.blocking = blocking;
  }

  /** Every registered component. */
  public CompletionStage<Map<String, Node>> read() {
    return query("SELECT id, groups, depends_on FROM components", null);
  }

  /**
   * The components {@code ids} depend on, directly or through others, and those ids themselves: all
   * a cycle check for a registration with these dependencies needs, without reading every
   * component.
   */
  public CompletionStage<Map<String, Node>> reachableFrom(Collection<String> ids) {
    return query(
        "WITH RECURSIVE reach(id) AS ("
            + " SELECT unnest(?::text[])"
            + " UNION SELECT unnest(c.depends_on) FROM components c JOIN reach r ON c.id = r.id)"
            + " SELECT id, groups, depends_on FROM components WHERE id IN (SELECT id FROM reach)",
        ids.toArray(String[]::new));
  }

  private CompletionStage<Map<String, Node>> query(String sql, String[] ids) {
    return CompletableFuture.supplyAsync(
        () -> {
          Map<String, Node> nodes = new TreeMap<>();
          try (Connection c = dataSource.getConnection();
              PreparedStatement s = c.prepareStatement(sql)) {
            if (ids != null) {
              s.setArray(1, c.createArrayOf("text", ids));
            }
            try (ResultSet rs = s.executeQuery()) {
              while (rs.next()) {
                String id = rs.getString(1);
                nodes.put(id, new Node(id, texts(rs.getArray(2)), texts(rs.getArray(3))));
              }
            }
            return nodes;
          } catch (SQLException e) {
            throw new IllegalStateException("cannot read the components: " + e.getMessage(), e);
          }
        },
        blocking);
  }

  private static List<String> texts(Array array) throws SQLException {
    return array == null ? List.of() : List.of((String[]) array.getArray());
  }
}
