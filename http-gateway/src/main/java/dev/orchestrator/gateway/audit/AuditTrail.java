package dev.orchestrator.gateway.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/** The persisted record of every mutating request: who, what, when, outcome. */
public final class AuditTrail {
  private final DataSource dataSource;
  private final Executor blocking;
  private final String node;

  /** One audited request. {@code id} and {@code at} are set by the database. */
  public record Entry(
      long id,
      Instant at,
      String actor,
      String role,
      String method,
      String path,
      int status,
      String outcome,
      String detail,
      String node) {}

  public AuditTrail(DataSource dataSource, Executor blocking, String node) {
    this.dataSource = dataSource;
    this.blocking = blocking;
    this.node = node;
  }

  /** Writes an entry; completes once it is committed. */
  public CompletionStage<Void> record(
      String actor, String role, String method, String path, int status, String detail) {
    return CompletableFuture.runAsync(
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement s =
                  c.prepareStatement(
                      "INSERT INTO audit_log (actor, role, method, path, status, outcome, detail,"
                          + " node) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, truncate(actor, 64));
            s.setString(2, role);
            s.setString(3, method);
            s.setString(4, truncate(path, 2048));
            s.setInt(5, status);
            s.setString(6, outcome(status));
            s.setString(7, detail == null ? null : truncate(detail, 1000));
            s.setString(8, node);
            s.executeUpdate();
          } catch (SQLException e) {
            throw new IllegalStateException("cannot write the audit trail: " + e.getMessage(), e);
          }
        },
        blocking);
  }

  /** Entries newest first, those with an id below {@code before} when given, at most limit. */
  public CompletionStage<List<Entry>> list(Long before, int limit) {
    return CompletableFuture.supplyAsync(
        () -> {
          String sql =
              "SELECT * FROM audit_log"
                  + (before == null ? "" : " WHERE id < ?")
                  + " ORDER BY id DESC LIMIT ?";
          try (Connection c = dataSource.getConnection();
              PreparedStatement s = c.prepareStatement(sql)) {
            int i = 1;
            if (before != null) {
              s.setLong(i++, before);
            }
            s.setInt(i, limit);
            try (ResultSet rows = s.executeQuery()) {
              List<Entry> entries = new ArrayList<>();
              while (rows.next()) {
                entries.add(
                    new Entry(
                        rows.getLong("id"),
                        rows.getTimestamp("at").toInstant(),
                        rows.getString("actor"),
                        rows.getString("role"),
                        rows.getString("method"),
                        rows.getString("path"),
                        rows.getInt("status"),
                        rows.getString("outcome"),
                        rows.getString("detail"),
                        rows.getString("node")));
              }
              return entries;
            }
          } catch (SQLException e) {
            throw new IllegalStateException("cannot read the audit trail: " + e.getMessage(), e);
          }
        },
        blocking);
  }

  static String outcome(int status) {
    if (status < 400) {
      return "success";
    }
    if (status == 401 || status == 403) {
      return "denied";
    }
    return status < 500 ? "rejected" : "error";
  }

  private static String truncate(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max);
  }
}
