package dev.orchestrator.singleton;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchestrator.protocol.scenario.Scenario;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the orchestrator reads each tick from the read side: the enabled scenarios in priority
 * order, and the top-level runs under way.
 */
final class Catalog {
  private static final Logger log = LoggerFactory.getLogger(Catalog.class);

  /** The enabled definitions, lowest priority number first, and the ids of runs under way. */
  record Snapshot(List<Scenario> scenarios, Set<String> running) {}

  private final DataSource dataSource;
  private final Executor blocking;
  private final ObjectMapper mapper;

  Catalog(DataSource dataSource, Executor blocking, ObjectMapper mapper) {
    this.dataSource = dataSource;
    this.blocking = blocking;
    this.mapper = mapper;
  }

  CompletionStage<Snapshot> read() {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection c = dataSource.getConnection()) {
            return new Snapshot(scenarios(c), running(c));
          } catch (SQLException e) {
            throw new IllegalStateException(
                "cannot read the scenario catalog: " + e.getMessage(), e);
          }
        },
        blocking);
  }

  private List<Scenario> scenarios(Connection c) throws SQLException {
    List<Scenario> out = new ArrayList<>();
    try (PreparedStatement s =
            c.prepareStatement(
                "SELECT name, definition::text FROM scenarios WHERE enabled ORDER BY priority, name");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        try {
          out.add(mapper.readValue(rs.getString(2), Scenario.class));
        } catch (Exception e) {
          log.warn(
              "Scenario {} in the read side cannot be read; skipped: {}",
              rs.getString(1),
              e.getMessage());
        }
      }
    }
    return out;
  }

  private static Set<String> running(Connection c) throws SQLException {
    Set<String> out = new HashSet<>();
    try (PreparedStatement s =
            c.prepareStatement(
                "SELECT id FROM scenario_runs WHERE status = 'RUNNING' AND parent_run_id IS NULL");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
