package dev.orchestrator.lifecycle;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Collections;
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
 *
 * <p>{@link #read} is shared: while one read of the table is under way, the callers that arrive
 * wait for the next one, which starts when it ends, and share it. So every caller gets a read that
 * began after its call (nothing registered before the call is missing that the table already had),
 * and a burst of callers (50 scenario runs each starting a {@code send_command}) costs two reads
 * instead of fifty full-table queries queueing for the blocking pool and its connections.
 */
public final class ComponentTopology {

  /** One component's place in the topology. */
  public record Node(String id, List<String> groups, List<String> dependsOn) {}

  private final DataSource dataSource;
  private final Executor blocking;

  /** Guards {@link #running} and {@link #following}. */
  private final Object lock = new Object();

  /** The read of the whole table under way; null when none. */
  private CompletableFuture<Map<String, Node>> running;

  /** The read that starts when {@link #running} ends, for the callers that came meanwhile. */
  private CompletableFuture<Map<String, Node>> following;

  public ComponentTopology(DataSource dataSource, Executor blocking) {
    this.dataSource = dataSource;
    this.blocking = blocking;
  }

  /** Every registered component (unmodifiable), from a read that began after this call. */
  public CompletionStage<Map<String, Node>> read() {
    synchronized (lock) {
      if (running == null) {
        return startRead();
      }
      if (following == null) {
        following = new CompletableFuture<>();
      }
      return following;
    }
  }

  /** Starts a read of the whole table as {@link #running}; called with {@link #lock} held. */
  private CompletableFuture<Map<String, Node>> startRead() {
    CompletableFuture<Map<String, Node>> read =
        query("SELECT id, groups, depends_on FROM components", null)
            .thenApply(Collections::unmodifiableMap)
            .toCompletableFuture();
    running = read;
    read.whenComplete((nodes, failure) -> readEnded());
    return read;
  }

  /** The read under way ended: the callers that came meanwhile get one of their own now. */
  private void readEnded() {
    CompletableFuture<Map<String, Node>> waiting;
    CompletableFuture<Map<String, Node>> next;
    synchronized (lock) {
      waiting = following;
      following = null;
      if (waiting == null) {
        running = null;
        return;
      }
      try {
        next = startRead();
      } catch (RuntimeException rejected) {
        // The blocking pool refused the work (the node is stopping).
        running = null;
        waiting.completeExceptionally(rejected);
        return;
      }
    }
    next.whenComplete(
        (nodes, failure) -> {
          if (failure != null) {
            waiting.completeExceptionally(failure);
          } else {
            waiting.complete(nodes);
          }
        });
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
