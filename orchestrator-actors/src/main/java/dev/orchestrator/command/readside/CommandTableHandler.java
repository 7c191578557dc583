package dev.orchestrator.command.readside;

import akka.projection.eventsourced.EventEnvelope;
import akka.projection.jdbc.javadsl.JdbcHandler;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchestrator.db.PooledJdbcSession;
import dev.orchestrator.protocol.command.CommandEvent;
import dev.orchestrator.protocol.command.CommandEvent.AttemptFailed;
import dev.orchestrator.protocol.command.CommandEvent.AttemptStarted;
import dev.orchestrator.protocol.command.CommandEvent.CancelRequested;
import dev.orchestrator.protocol.command.CommandEvent.Cancelled;
import dev.orchestrator.protocol.command.CommandEvent.Child;
import dev.orchestrator.protocol.command.CommandEvent.Failed;
import dev.orchestrator.protocol.command.CommandEvent.Submitted;
import dev.orchestrator.protocol.command.CommandEvent.Succeeded;
import dev.orchestrator.protocol.command.CommandEvent.Waiting;
import dev.orchestrator.protocol.command.CommandStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Folds a group of command events into the {@code commands} table with JDBC batches; the projection
 * commits the group and its offset in one transaction, so each group is folded exactly once.
 *
 * <p>A command whose {@code Submitted} is in the group gets its whole row folded in memory from
 * that and its later events in the group ({@link CommandRow}) and written with one upsert; every
 * other event is an update by id. Statements of one kind go out as one JDBC batch (one round trip
 * for many rows). Events of different commands commute, events of one command must be applied in
 * order; so the folded rows go first ({@code Submitted} is always a command's first event), then
 * the chained children's placeholders, then the updates in rounds: round <i>k</i> holds the
 * <i>k</i>-th update of each command in the group, so one round never touches a row twice and its
 * batches may run in any order. A burst group of a few hundred events takes a handful of round
 * trips, and a noop command whose three events share a group one row write instead of three.
 *
 * <p>Each row remembers the sequence number of the last event folded into it ({@code seq_nr}); an
 * upsert and an update at or below that number change nothing. The fold is therefore idempotent on
 * its own, should a group ever be replayed (for instance after an offset reset).
 *
 * <p>A row says what the entity's own view ({@code CommandState.Known#view()}) says after the same
 * events, except that it keeps no children, that a running command asked to stop shows {@code
 * waiting_for = "cancelling: <reason>"} until its {@code Cancelled} event, and that a chained child
 * appears (PENDING, sequence number 0) with its parent's final event, before its own first event.
 */
final class CommandTableHandler
    extends JdbcHandler<List<EventEnvelope<CommandEvent>>, PooledJdbcSession> {

  static final ObjectMapper JSON = new ObjectMapper();

  /** What a chained child not yet submitted by its parent shows in {@code waiting_for}. */
  static String submittedByParent(String parentId) {
    return "to be submitted by its parent " + parentId;
  }

  /** The update of each kind of event that follows a command's first one in another group. */
  private enum Kind {
    ATTEMPT_STARTED(
        update(
            "status = '"
                + CommandStatus.RUNNING
                + "', attempts = ?, started_at = COALESCE(started_at, ?),"
                + " next_attempt_at = NULL, waiting_for = NULL")),
    ATTEMPT_FAILED(
        update(
            "status = '"
                + CommandStatus.PENDING
                + "', error = ?, next_attempt_at = ?, waiting_for = NULL")),
    WAITING(
        update(
            "status = '" + CommandStatus.PENDING + "', waiting_for = ?, next_attempt_at = NULL")),
    SUCCEEDED(
        update(
            "status = '"
                + CommandStatus.SUCCEEDED
                + "', output = ?::jsonb, error = NULL, waiting_for = NULL,"
                + " next_attempt_at = NULL, finished_at = ?")),
    FAILED(
        update(
            "status = ?, error = ?, waiting_for = NULL, next_attempt_at = NULL,"
                + " finished_at = ?")),
    CANCEL_REQUESTED(update("waiting_for = ?")),
    CANCELLED(
        update(
            "status = '"
                + CommandStatus.CANCELLED
                + "', error = ?, waiting_for = NULL, next_attempt_at = NULL, finished_at = ?"));

    final String sql;

    Kind(String sql) {
      this.sql = sql;
    }

    /** An update by id that sets {@code assignments}, then updated_at and seq_nr. */
    private static String update(String assignments) {
      return "UPDATE commands SET "
          + assignments
          + ", updated_at = ?, seq_nr = ? WHERE id = ? AND seq_nr < ?";
    }

    static Kind of(CommandEvent event) {
      if (event instanceof AttemptStarted) {
        return ATTEMPT_STARTED;
      } else if (event instanceof AttemptFailed) {
        return ATTEMPT_FAILED;
      } else if (event instanceof Waiting) {
        return WAITING;
      } else if (event instanceof Succeeded) {
        return SUCCEEDED;
      } else if (event instanceof Failed) {
        return FAILED;
      } else if (event instanceof CancelRequested) {
        return CANCEL_REQUESTED;
      } else if (event instanceof Cancelled) {
        return CANCELLED;
      }
      throw new IllegalArgumentException("unknown command event " + event.getClass().getName());
    }
  }

  @Override
  public void process(PooledJdbcSession session, List<EventEnvelope<CommandEvent>> envelopes)
      throws Exception {
    session.withConnection(
        connection -> {
          write(connection, envelopes);
          return null;
        });
  }

  /** Writes the group on {@code connection}; the caller commits. */
  static void write(Connection connection, List<EventEnvelope<CommandEvent>> envelopes)
      throws SQLException {
    List<CommandRow> rows = new ArrayList<>();
    Map<String, CommandRow> folding = new HashMap<>();
    List<CommandRow> children = new ArrayList<>();
    List<List<EventEnvelope<CommandEvent>>> rounds = new ArrayList<>();
    Map<String, Integer> updatesSoFar = new HashMap<>();
    for (EventEnvelope<CommandEvent> envelope : envelopes) {
      CommandEvent event = envelope.event();
      children.addAll(children(event));
      CommandRow row = folding.get(event.id());
      if (row != null) {
        row.apply(event, envelope.sequenceNr());
      } else if (event instanceof Submitted submitted) {
        row = CommandRow.submitted(submitted, envelope.sequenceNr());
        rows.add(row);
        // Only a replay puts a Submitted after later events of its command in one group; those
        // stay updates, applied after it as before.
        if (!updatesSoFar.containsKey(event.id())) {
          folding.put(event.id(), row);
        }
      } else {
        int round = updatesSoFar.merge(event.id(), 1, Integer::sum) - 1;
        if (round == rounds.size()) {
          rounds.add(new ArrayList<>());
        }
        rounds.get(round).add(envelope);
      }
    }
    try (Batches batches = new Batches(connection)) {
      for (CommandRow row : rows) {
        batches.add(row, CommandRow.UPSERT);
      }
      batches.flush();
      for (CommandRow child : children) {
        batches.add(child, CommandRow.CHILD);
      }
      batches.flush();
      for (List<EventEnvelope<CommandEvent>> round : rounds) {
        for (EventEnvelope<CommandEvent> envelope : round) {
          batches.add(envelope);
        }
        batches.flush();
      }
    }
  }

  /** One prepared statement per statement text, opened when first needed, batched until flushed. */
  private static final class Batches implements AutoCloseable {
    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new LinkedHashMap<>();
    private final Set<String> pending = new LinkedHashSet<>();

    Batches(Connection connection) {
      this.connection = connection;
    }

    void add(EventEnvelope<CommandEvent> envelope) throws SQLException {
      CommandEvent event = envelope.event();
      PreparedStatement statement = statement(Kind.of(event).sql);
      bind(statement, event, envelope.sequenceNr());
      statement.addBatch();
    }

    void add(CommandRow row, String sql) throws SQLException {
      PreparedStatement statement = statement(sql);
      row.bind(statement);
      statement.addBatch();
    }

    private PreparedStatement statement(String sql) throws SQLException {
      PreparedStatement statement = statements.get(sql);
      if (statement == null) {
        statement = connection.prepareStatement(sql);
        statements.put(sql, statement);
      }
      pending.add(sql);
      return statement;
    }

    void flush() throws SQLException {
      for (String sql : pending) {
        statements.get(sql).executeBatch();
      }
      pending.clear();
    }

    @Override
    public void close() throws SQLException {
      SQLException failure = null;
      for (PreparedStatement statement : statements.values()) {
        try {
          statement.close();
        } catch (SQLException e) {
          failure = failure == null ? e : failure;
        }
      }
      if (failure != null) {
        throw failure;
      }
    }
  }

  private static void bind(PreparedStatement s, CommandEvent event, long seqNr)
      throws SQLException {
    int i = 1;
    if (event instanceof AttemptStarted started) {
      s.setInt(i++, started.attempt());
      timestamp(s, i++, started.at());
    } else if (event instanceof AttemptFailed failed) {
      s.setString(i++, failed.error());
      timestamp(s, i++, failed.retryAt());
    } else if (event instanceof Waiting waiting) {
      s.setString(i++, waiting.reason());
    } else if (event instanceof Succeeded succeeded) {
      json(s, i++, succeeded.output());
      timestamp(s, i++, succeeded.at());
    } else if (event instanceof Failed failed) {
      s.setString(i++, failed.status().name());
      s.setString(i++, failed.error());
      timestamp(s, i++, failed.at());
    } else if (event instanceof CancelRequested requested) {
      s.setString(i++, cancelling(requested.reason()));
    } else if (event instanceof Cancelled cancelled) {
      s.setString(i++, cancelled.reason());
      timestamp(s, i++, cancelled.at());
    }
    timestamp(s, i++, event.at());
    s.setLong(i++, seqNr);
    s.setString(i++, event.id());
    s.setLong(i, seqNr);
  }

  /** The placeholders of the chained children that {@code event} (a final event) creates. */
  private static List<CommandRow> children(CommandEvent event) {
    List<Child> children;
    if (event instanceof Succeeded succeeded) {
      children = succeeded.children();
    } else if (event instanceof Failed failed) {
      children = failed.children();
    } else if (event instanceof Cancelled cancelled) {
      children = cancelled.children();
    } else {
      return List.of();
    }
    return children == null
        ? List.of()
        : children.stream().map(child -> CommandRow.child(event, child)).toList();
  }

  /** What a list shows while a running command is being cancelled. */
  static String cancelling(String reason) {
    return reason == null || reason.isBlank() ? "cancelling" : "cancelling: " + reason;
  }

  static void json(PreparedStatement s, int index, JsonNode node) throws SQLException {
    if (node == null || node.isMissingNode()) {
      s.setNull(index, Types.VARCHAR);
      return;
    }
    try {
      s.setString(index, JSON.writeValueAsString(node));
    } catch (JsonProcessingException e) {
      throw new SQLException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  static void timestamp(PreparedStatement s, int index, Instant at) throws SQLException {
    if (at == null) {
      s.setNull(index, Types.TIMESTAMP_WITH_TIMEZONE);
    } else {
      s.setObject(index, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
    }
  }
}
