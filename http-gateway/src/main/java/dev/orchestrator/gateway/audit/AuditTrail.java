package dev.orchestrator.gateway.audit;

import akka.actor.typed.ActorSystem;
import akka.stream.BoundedSourceQueue;
import akka.stream.QueueOfferResult;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
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

  /** An entry waiting for its batch to be committed. */
  private record Pending(
      String actor,
      String role,
      String method,
      String path,
      int status,
      String detail,
      CompletableFuture<Void> committed) {}

  private final BoundedSourceQueue<Pending> queue;

  /**
   * Entries are written in batches: while one batch is being committed, the next ones gather, so a
   * burst of requests costs one transaction per batch instead of one each (group commit). At low
   * load a batch is a single entry and waits for nothing.
   */
  public AuditTrail(ActorSystem<?> system, DataSource dataSource, Executor blocking, String node) {
    this.dataSource = dataSource;
    this.blocking = blocking;
    this.node = node;
    this.queue =
        Source.<Pending>queue(QUEUE_LIMIT)
            .batch(BATCH_LIMIT, AuditTrail::newBatch, AuditTrail::addToBatch)
            .mapAsync(
                2,
                batch ->
                    CompletableFuture.runAsync(() -> writeBatch(batch), blocking)
                        .handle((ok, failure) -> settle(batch, failure)))
            .toMat(Sink.ignore(), Keep.left())
            .run(system);
  }

  private static final int QUEUE_LIMIT = 100_000;
  private static final int BATCH_LIMIT = 1_000;

  private static List<Pending> newBatch(Pending first) {
    List<Pending> batch = new ArrayList<>();
    batch.add(first);
    return batch;
  }

  private static List<Pending> addToBatch(List<Pending> batch, Pending next) {
    batch.add(next);
    return batch;
  }

  private static boolean settle(List<Pending> batch, Throwable failure) {
    for (Pending pending : batch) {
      if (failure == null) {
        pending.committed().complete(null);
      } else {
        pending.committed().completeExceptionally(failure);
      }
    }
    return failure == null;
  }

  /** Writes an entry; completes once it is committed. */
  public CompletionStage<Void> record(
      String actor, String role, String method, String path, int status, String detail) {
    Pending pending =
        new Pending(actor, role, method, path, status, detail, new CompletableFuture<>());
    QueueOfferResult offered = queue.offer(pending);
    if (offered != QueueOfferResult.enqueued()) {
      // Over 100,000 entries waiting: write this one on its own rather than lose it.
      return CompletableFuture.runAsync(() -> writeBatch(List.of(pending)), blocking);
    }
    return pending.committed();
  }

  private void writeBatch(List<Pending> batch) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO audit_log (actor, role, method, path, status, outcome, detail, node)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
      c.setAutoCommit(false);
      for (Pending p : batch) {
        s.setString(1, truncate(p.actor(), 64));
        s.setString(2, p.role());
        s.setString(3, p.method());
        s.setString(4, truncate(p.path(), 2048));
        s.setInt(5, p.status());
        s.setString(6, outcome(p.status()));
        s.setString(7, p.detail() == null ? null : truncate(p.detail(), 1000));
        s.setString(8, node);
        s.addBatch();
      }
      s.executeBatch();
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot write the audit trail: " + e.getMessage(), e);
    }
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
