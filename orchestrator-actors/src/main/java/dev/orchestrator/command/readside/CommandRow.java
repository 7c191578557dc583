package dev.orchestrator.command.readside;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.orchestrator.protocol.command.CommandSpec;
import dev.orchestrator.protocol.command.CommandStatus;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;

/**
 * A whole {@code commands} row folded in memory from a command's {@code Submitted} and the events
 * after it in the same group, written with one statement ({@link #UPSERT}) instead of an insert and
 * an update per later event. Under a burst a noop command's three events usually arrive in one
 * group, so its row is written once instead of three times (each update of a row also rewrote its
 * four index entries, as the status changes). {@link #apply} does in memory what {@link
 * CommandTableHandler}'s update of the same event does in SQL.
 */
final class CommandRow {
  private static final String COLUMNS =
      "INSERT INTO commands (id, name, status, target, attempts, max_attempts, input, output,"
          + " error, waiting_for, idempotency_key, parent_id, created_at, scheduled_at, started_at,"
          + " next_attempt_at, finished_at, updated_at, seq_nr) VALUES (?, ?, ?, ?, ?, ?, ?::jsonb,"
          + " ?::jsonb, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

  /**
   * A row folded from {@code Submitted} on: it replaces a row that knows fewer events (a chained
   * child's placeholder at sequence number 0, or a replay's older state), and changes nothing when
   * the row knows as many or more.
   */
  static final String UPSERT =
      COLUMNS
          + " ON CONFLICT (id) DO UPDATE SET name = excluded.name, status = excluded.status,"
          + " target = excluded.target, attempts = excluded.attempts,"
          + " max_attempts = excluded.max_attempts, input = excluded.input,"
          + " output = excluded.output, error = excluded.error,"
          + " waiting_for = excluded.waiting_for, idempotency_key = excluded.idempotency_key,"
          + " parent_id = excluded.parent_id, created_at = excluded.created_at,"
          + " scheduled_at = excluded.scheduled_at, started_at = excluded.started_at,"
          + " next_attempt_at = excluded.next_attempt_at, finished_at = excluded.finished_at,"
          + " updated_at = excluded.updated_at, seq_nr = excluded.seq_nr"
          + " WHERE commands.seq_nr < excluded.seq_nr";

  /** A chained child's placeholder: written only while the child has no row of its own. */
  static final String CHILD = COLUMNS + " ON CONFLICT (id) DO NOTHING";

  private final String id;
  private final CommandSpec spec;
  private final String parentId;
  private final Instant createdAt;
  private CommandStatus status;
  private int attempts;
  private JsonNode output;
  private String error;
  private String waitingFor;
  private Instant startedAt;
  private Instant nextAttemptAt;
  private Instant finishedAt;
  private Instant updatedAt;
  private long seqNr;

  private CommandRow(
      String id, CommandSpec spec, String parentId, Instant at, long seqNr, String waitingFor) {
    this.id = id;
    this.spec = spec;
    this.parentId = parentId;
    this.createdAt = at;
    boolean later = spec.scheduledAt() != null && spec.scheduledAt().isAfter(at);
    this.status = later ? CommandStatus.SCHEDULED : CommandStatus.PENDING;
    this.nextAttemptAt = later ? spec.scheduledAt() : null;
    this.updatedAt = at;
    this.seqNr = seqNr;
    this.waitingFor = waitingFor;
  }

  /** The row a command's first event makes. */
  static CommandRow submitted(Submitted submitted, long seqNr) {
    return new CommandRow(
        submitted.id(), submitted.spec(), submitted.parentId(), submitted.at(), seqNr, null);
  }

  /** The placeholder of a chained child that {@code parent}'s final event creates. */
  static CommandRow child(CommandEvent parent, Child child) {
    return new CommandRow(
        child.id(),
        child.spec(),
        parent.id(),
        parent.at(),
        0,
        CommandTableHandler.submittedByParent(parent.id()));
  }

  String id() {
    return id;
  }

  /**
   * Folds a later event of this command in; one at or below the row's sequence number is a replay.
   */
  void apply(CommandEvent event, long eventSeqNr) {
    if (eventSeqNr <= seqNr) {
      return;
    }
    if (event instanceof AttemptStarted started) {
      status = CommandStatus.RUNNING;
      attempts = started.attempt();
      startedAt = startedAt == null ? started.at() : startedAt;
      nextAttemptAt = null;
      waitingFor = null;
    } else if (event instanceof AttemptFailed failed) {
      status = CommandStatus.PENDING;
      error = failed.error();
      nextAttemptAt = failed.retryAt();
      waitingFor = null;
    } else if (event instanceof Waiting waiting) {
      status = CommandStatus.PENDING;
      waitingFor = waiting.reason();
      nextAttemptAt = null;
    } else if (event instanceof Succeeded succeeded) {
      end(CommandStatus.SUCCEEDED, null, succeeded.at());
      output = succeeded.output();
    } else if (event instanceof Failed failed) {
      end(failed.status(), failed.error(), failed.at());
    } else if (event instanceof CancelRequested requested) {
      waitingFor = CommandTableHandler.cancelling(requested.reason());
    } else if (event instanceof Cancelled cancelled) {
      end(CommandStatus.CANCELLED, cancelled.reason(), cancelled.at());
    } else if (!(event instanceof Submitted)) {
      throw new IllegalArgumentException("unknown command event " + event.getClass().getName());
    }
    updatedAt = event.at();
    seqNr = eventSeqNr;
  }

  private void end(CommandStatus end, String endError, Instant at) {
    status = end;
    error = endError;
    waitingFor = null;
    nextAttemptAt = null;
    finishedAt = at;
  }

  /** Binds {@link #UPSERT} or {@link #CHILD}. */
  void bind(PreparedStatement s) throws SQLException {
    int i = 1;
    s.setString(i++, id);
    s.setString(i++, spec.name());
    s.setString(i++, status.name());
    s.setString(i++, spec.target());
    s.setInt(i++, attempts);
    s.setInt(i++, spec.retries() + 1);
    CommandTableHandler.json(s, i++, spec.input());
    CommandTableHandler.json(s, i++, output);
    s.setString(i++, error);
    s.setString(i++, waitingFor);
    s.setString(i++, spec.idempotencyKey());
    s.setString(i++, parentId);
    CommandTableHandler.timestamp(s, i++, createdAt);
    CommandTableHandler.timestamp(s, i++, spec.scheduledAt());
    CommandTableHandler.timestamp(s, i++, startedAt);
    CommandTableHandler.timestamp(s, i++, nextAttemptAt);
    CommandTableHandler.timestamp(s, i++, finishedAt);
    CommandTableHandler.timestamp(s, i++, updatedAt);
    s.setLong(i, seqNr);
  }
}
