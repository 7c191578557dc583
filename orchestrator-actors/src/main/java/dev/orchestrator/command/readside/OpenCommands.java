package dev.orchestrator.command.readside;

import akka.persistence.typed.PersistenceId;
import dev.orchestrator.command.CommandEntity;
import dev.orchestrator.command.CommandTags;
import dev.orchestrator.protocol.command.CommandEvent;
import dev.orchestrator.protocol.command.CommandStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.stream.Collectors;
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

  /** The most commands {@link #unfolded} returns. */
  private static final int UNFOLDED_LIMIT = 10_000;

  /** The read side's committed offset of each command tag (sequence offsets only). */
  private static final String OFFSETS =
      "SELECT projection_key, current_offset FROM akka_projection_offset_store"
          + " WHERE projection_name = ? AND projection_key = ANY (?) AND manifest = 'SEQ'";

  /**
   * The last event of each command journaled past {@code offsets} (tag → offset): one range of the
   * tag table's primary key per tag, the tags bound in order. The offsets are written into the text
   * (numbers read from the offset table) so that PostgreSQL plans with them and reads only the
   * tail: a join with the offset table, or a generic plan of bound offsets, scans every row of the
   * tags.
   */
  private static String unfoldedSql(Map<String, Long> offsets) {
    return "SELECT DISTINCT ON (j.persistence_id) j.persistence_id, j.event_ser_manifest,"
        + " j.write_timestamp"
        + " FROM event_tag t JOIN event_journal j ON j.ordering = t.event_id WHERE "
        + offsets.values().stream()
            .map(offset -> "(t.tag = ? AND t.event_id > " + offset + ")")
            .collect(Collectors.joining(" OR "))
        + " ORDER BY j.persistence_id, j.ordering DESC LIMIT "
        + UNFOLDED_LIMIT;
  }

  /** The events after which a command has ended (as the journal names their classes). */
  private static final Set<String> FINAL_EVENTS =
      Set.of(
          CommandEvent.Succeeded.class.getName(),
          CommandEvent.Failed.class.getName(),
          CommandEvent.Cancelled.class.getName());

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

  private static Map<String, Long> offsets(Connection connection) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(OFFSETS)) {
      statement.setString(1, CommandProjection.NAME);
      statement.setArray(
          2, connection.createArrayOf("varchar", CommandTags.TAGS.toArray(new String[0])));
      Map<String, Long> offsets = new LinkedHashMap<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          offsets.put(rows.getString(1), Long.parseLong(rows.getString(2)));
        }
      }
      return offsets;
    }
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

  /**
   * The commands the journal holds past what the read side has folded (its committed offset per
   * tag) whose last such event does not end them. A node that dies takes its projection instances
   * with it, and their tags are folded again only once the projection has started on another node:
   * until then a command accepted or started shortly before the death is in the journal but not in
   * the table. A keeper reading this after a member's removal finds such commands at once.
   */
  public CompletionStage<List<Open>> unfolded() {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection connection = dataSource.getConnection()) {
            Map<String, Long> offsets = offsets(connection);
            if (offsets.isEmpty()) {
              return List.of();
            }
            try (PreparedStatement statement = connection.prepareStatement(unfoldedSql(offsets))) {
              int i = 1;
              for (String tag : offsets.keySet()) {
                statement.setString(i++, tag);
              }
              statement.setFetchSize(1000);
              List<Open> open = new ArrayList<>();
              try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                  String persistenceId = rows.getString(1);
                  String manifest = rows.getString(2).split("#", 2)[0];
                  if (PersistenceId.extractEntityType(persistenceId)
                          .equals(CommandEntity.ENTITY_TYPE_KEY.name())
                      && !FINAL_EVENTS.contains(manifest)) {
                    open.add(
                        new Open(
                            PersistenceId.extractEntityId(persistenceId),
                            null,
                            true,
                            Instant.ofEpochMilli(rows.getLong(3))));
                  }
                }
              }
              return open;
            }
          } catch (SQLException e) {
            throw new IllegalStateException("cannot read the commands not folded yet", e);
          }
        },
        blockingExecutor);
  }
}
