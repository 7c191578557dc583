package dev.orchestrator.drill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * The {@code drills} table (one row a drill, its report as JSON; a partial unique index lets one
 * drill at most be RUNNING), and the reads of {@code scenario_runs} a drill needs.
 */
public final class DrillRepository {
  private static final String UNIQUE_VIOLATION = "23505";

  private final DataSource dataSource;
  private final Executor blocking;
  private final ObjectMapper mapper;

  /** Thrown (in the stage) by {@link #insert} when another drill runs. */
  public static final class AnotherRuns extends RuntimeException {
    private final DrillReport running;

    AnotherRuns(DrillReport running) {
      super("drill " + running.id() + " is running");
      this.running = running;
    }

    public DrillReport running() {
      return running;
    }
  }

  public DrillRepository(DataSource dataSource, Executor blocking, ObjectMapper mapper) {
    this.dataSource = dataSource;
    this.blocking = blocking;
    this.mapper = mapper;
  }

  /**
   * Stores a new RUNNING drill, or fails with {@link AnotherRuns}. A RUNNING drill that started
   * more than {@code abandonedAfter} ago lost its coordinator: it is marked FAILED first.
   */
  public CompletionStage<DrillReport> insert(DrillReport report, Duration abandonedAfter) {
    return async(
        () -> {
          try (Connection c = dataSource.getConnection()) {
            Optional<DrillReport> running = running(c);
            if (running.isPresent()) {
              DrillReport other = running.get();
              if (other.startedAt().plus(abandonedAfter).isAfter(Instant.now())) {
                throw new AnotherRuns(other);
              }
              write(
                  c,
                  other.failed(
                      "its coordinator "
                          + other.coordinator()
                          + " stopped reporting before the drill ended",
                      Instant.now()));
            }
            try (PreparedStatement s =
                c.prepareStatement(
                    "INSERT INTO drills (id, type, target, status, started_at, updated_at, report)"
                        + " VALUES (?, ?, ?, ?, ?, now(), ?::jsonb)")) {
              s.setString(1, report.id());
              s.setString(2, report.type());
              s.setString(3, report.target());
              s.setString(4, report.status());
              s.setObject(5, OffsetDateTime.ofInstant(report.startedAt(), ZoneOffset.UTC));
              s.setString(6, json(report));
              s.executeUpdate();
            } catch (SQLException e) {
              if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw new AnotherRuns(running(c).orElse(report));
              }
              throw e;
            }
            return report;
          }
        });
  }

  /** The drill RUNNING now, unless it started more than {@code abandonedAfter} ago. */
  public CompletionStage<Optional<DrillReport>> running(Duration abandonedAfter) {
    return async(
        () -> {
          try (Connection c = dataSource.getConnection()) {
            return running(c)
                .filter(r -> r.startedAt().plus(abandonedAfter).isAfter(Instant.now()));
          }
        });
  }

  /**
   * Rewrites the report of a drill that is still RUNNING (a drill marked ended is left as it is).
   */
  public CompletionStage<Boolean> save(DrillReport report) {
    return async(
        () -> {
          try (Connection c = dataSource.getConnection()) {
            return write(c, report);
          }
        });
  }

  public CompletionStage<Optional<DrillReport>> get(String id) {
    return async(
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement s = c.prepareStatement("SELECT report FROM drills WHERE id = ?")) {
            s.setString(1, id);
            return first(s);
          }
        });
  }

  /** The latest drills, newest first. */
  public CompletionStage<List<DrillReport>> recent(int limit) {
    return async(
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement s =
                  c.prepareStatement(
                      "SELECT report FROM drills ORDER BY started_at DESC, id DESC LIMIT ?")) {
            s.setInt(1, limit);
            List<DrillReport> reports = new ArrayList<>();
            try (ResultSet rows = s.executeQuery()) {
              while (rows.next()) {
                reports.add(read(rows.getString(1)));
              }
            }
            return reports;
          }
        });
  }

  /** Scenario runs under way, as id to the sequence number of their latest folded event. */
  public CompletionStage<Map<String, Long>> runningRuns() {
    return async(
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement s =
                  c.prepareStatement(
                      "SELECT id, seq_nr FROM scenario_runs WHERE status = 'RUNNING'")) {
            return runs(s);
          }
        });
  }

  /**
   * The sequence number of the latest folded event of each of these runs: one that grew since went
   * on (a step, or its end).
   */
  public CompletionStage<Map<String, Long>> progressOf(List<String> runIds) {
    return async(
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement s =
                  c.prepareStatement("SELECT id, seq_nr FROM scenario_runs WHERE id = ANY (?)")) {
            s.setArray(1, c.createArrayOf("varchar", runIds.toArray()));
            return runs(s);
          }
        });
  }

  private static Map<String, Long> runs(PreparedStatement s) throws SQLException {
    Map<String, Long> runs = new HashMap<>();
    try (ResultSet rows = s.executeQuery()) {
      while (rows.next()) {
        runs.put(rows.getString(1), rows.getLong(2));
      }
    }
    return runs;
  }

  private Optional<DrillReport> running(Connection c) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT report FROM drills WHERE status = 'RUNNING'")) {
      return first(s);
    }
  }

  private boolean write(Connection c, DrillReport report) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE drills SET status = ?, report = ?::jsonb, updated_at = now()"
                + " WHERE id = ? AND status = 'RUNNING'")) {
      s.setString(1, report.status());
      s.setString(2, json(report));
      s.setString(3, report.id());
      return s.executeUpdate() == 1;
    }
  }

  private Optional<DrillReport> first(PreparedStatement s) throws SQLException {
    try (ResultSet rows = s.executeQuery()) {
      return rows.next() ? Optional.of(read(rows.getString(1))) : Optional.empty();
    }
  }

  private String json(DrillReport report) throws SQLException {
    try {
      return mapper.writeValueAsString(report);
    } catch (JsonProcessingException e) {
      throw new SQLException("cannot write a drill report: " + e.getOriginalMessage(), e);
    }
  }

  private DrillReport read(String json) throws SQLException {
    try {
      return mapper.readValue(json, DrillReport.class);
    } catch (JsonProcessingException e) {
      throw new SQLException("cannot read a drill report: " + e.getOriginalMessage(), e);
    }
  }

  @FunctionalInterface
  private interface Query<T> {
    T get() throws SQLException;
  }

  private <T> CompletionStage<T> async(Query<T> query) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return query.get();
          } catch (SQLException e) {
            throw new IllegalStateException("drills table: " + e.getMessage(), e);
          }
        },
        blocking);
  }
}
