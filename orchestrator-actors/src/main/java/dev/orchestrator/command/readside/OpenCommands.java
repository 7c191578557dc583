package dev.orchestrator.command.readside;

import dev.orchestrator.protocol.command.CommandStatus;
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

/**
 * The unfinished commands the {@code commands} table knows: PENDING, SCHEDULED, RUNNING, and the
 * chained children a finished parent has created but not yet submitted ({@link CommandTableHandler}
 * writes a row for each child with the parent's final event, sequence number 0, until the child's
 * own first event replaces it).
 */
public final class OpenCommands {
  private static final String SQL =
      "SELECT id, parent_id, seq_nr, updated_at FROM commands WHERE status IN ('"
          + CommandStatus.PENDING
          + "', '"
          + CommandStatus.SCHEDULED
          + "', '"
          + CommandStatus.RUNNING
          + "')";

  /**
   * One unfinished command.
   *
   * @param submitted false for a chained child its parent has not submitted yet: its parent must be
   *     started to submit it
   */
  public record Open(String id, String parentId, boolean submitted, Instant updatedAt) {
    /** The entity to start so that this command goes on: itself, or its parent. */
    public String entityToWake() {
      return submitted || parentId == null ? id : parentId;
    }
  }

  private final DataSource dataSource;
  private final Executor blockingExecutor;

  public OpenCommands(DataSource dataSource, Executor blockingExecutor) {
    this.dataSource = dataSource;
    this.blockingExecutor = blockingExecutor;
  }

  /** Every unfinished command the read side knows, read on the blocking executor. */
  public CompletionStage<List<Open>> read() {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection connection = dataSource.getConnection();
              PreparedStatement statement = connection.prepareStatement(SQL)) {
            statement.setFetchSize(1000);
            List<Open> open = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
              while (rows.next()) {
                open.add(
                    new Open(
                        rows.getString(1),
                        rows.getString(2),
                        rows.getLong(3) > 0,
                        rows.getTimestamp(4).toInstant()));
              }
            }
            return open;
          } catch (SQLException e) {
            throw new IllegalStateException("cannot read the unfinished commands", e);
          }
        },
        blockingExecutor);
  }
}
