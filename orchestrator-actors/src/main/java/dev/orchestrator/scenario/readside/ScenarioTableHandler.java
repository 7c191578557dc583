package dev.orchestrator.scenario.readside;

import akka.projection.eventsourced.EventEnvelope;
import akka.projection.jdbc.javadsl.JdbcHandler;
import dev.orchestrator.db.PooledJdbcSession;
import dev.orchestrator.protocol.scenario.RunStatus;
import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.protocol.scenario.ScenarioEvent;
import dev.orchestrator.protocol.scenario.ScenarioEvent.Acknowledged;
import dev.orchestrator.protocol.scenario.ScenarioEvent.Defined;
import dev.orchestrator.protocol.scenario.ScenarioEvent.EnabledChanged;
import dev.orchestrator.protocol.scenario.ScenarioEvent.RunAdmitted;
import dev.orchestrator.protocol.scenario.ScenarioEvent.RunEnded;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Folds a group of scenario events into the {@code scenarios} table, in journal order, one
 * statement per event; the projection commits the group and its offset in one transaction.
 *
 * <p>Each row keeps the sequence number of the last event folded into it ({@code seq_nr}): an event
 * at or below it is a replay and changes nothing, so counters are never counted twice even if a
 * group is folded again (an offset reset). A new definition keeps the row's enabled flag and
 * counters; a first one is enabled.
 *
 * <p>Counting, as the read side shows it: every admitted run counts in {@code runs} and in {@code
 * executions_since_ack} (an acknowledgement sets the latter to zero); the scenario is {@code
 * blocked} while {@code executions_since_ack} is at least the definition's {@code max_executions}.
 * An end counts SUCCEEDED in {@code succeeded}, FAILED and TIMED_OUT in {@code failed}, CANCELLED
 * in neither. {@code running_ids} holds the admitted runs not yet ended, {@code running} their
 * number.
 */
final class ScenarioTableHandler
    extends JdbcHandler<List<EventEnvelope<ScenarioEvent>>, PooledJdbcSession> {

  /** True when the executions (an SQL expression) reach the definition's max_executions. */
  private static String blocked(String executions, String definition) {
    return "COALESCE(" + executions + " >= (" + definition + "->>'max_executions')::bigint, false)";
  }

  private static final String DEFINED =
      "INSERT INTO scenarios (name, version, source, enabled, blocked, priority, trigger_type,"
          + " definition, updated_at, seq_nr) VALUES (?, ?, ?, true, false, ?, ?, ?::jsonb, ?, ?)"
          + " ON CONFLICT (name) DO UPDATE SET version = excluded.version, source ="
          + " excluded.source, priority = excluded.priority, trigger_type = excluded.trigger_type,"
          + " definition = excluded.definition, blocked = "
          + blocked("scenarios.executions_since_ack", "excluded.definition")
          + ", updated_at = excluded.updated_at, seq_nr = excluded.seq_nr"
          + " WHERE scenarios.seq_nr < excluded.seq_nr";

  private static final String ENABLED_CHANGED = update("enabled = ?");

  private static final String ACKNOWLEDGED = update("executions_since_ack = 0, blocked = false");

  private static final String WITH_RUN =
      "CASE WHEN ? = ANY(running_ids) THEN running_ids ELSE array_append(running_ids, ?) END";

  private static final String RUN_ADMITTED =
      update(
          "runs = runs + 1, executions_since_ack = executions_since_ack + 1, blocked = "
              + blocked("executions_since_ack + 1", "definition")
              + ", running_ids = "
              + WITH_RUN
              + ", running = cardinality("
              + WITH_RUN
              + "), last_started_at = ?");

  private static final String RUN_ENDED =
      update(
          "succeeded = succeeded + ?, failed = failed + ?, running_ids = array_remove(running_ids,"
              + " ?), running = cardinality(array_remove(running_ids, ?)), last_ended_at = ?,"
              + " last_result = ?");

  /** An update by name that sets {@code assignments}, then updated_at and seq_nr. */
  private static String update(String assignments) {
    return "UPDATE scenarios SET "
        + assignments
        + ", updated_at = ?, seq_nr = ? WHERE name = ? AND seq_nr < ?";
  }

  @Override
  public void process(PooledJdbcSession session, List<EventEnvelope<ScenarioEvent>> envelopes)
      throws Exception {
    session.withConnection(
        connection -> {
          for (EventEnvelope<ScenarioEvent> envelope : envelopes) {
            write(connection, envelope.event(), envelope.sequenceNr());
          }
          return null;
        });
  }

  private static void write(Connection connection, ScenarioEvent event, long seqNr)
      throws SQLException {
    if (event instanceof Defined defined) {
      try (PreparedStatement s = connection.prepareStatement(DEFINED)) {
        Scenario definition = defined.definition();
        s.setString(1, defined.name());
        s.setLong(2, defined.version());
        s.setString(3, defined.source().name());
        s.setInt(4, definition.priority());
        s.setString(5, definition.trigger() == null ? "manual" : definition.trigger().type());
        s.setString(6, Sql.json(definition));
        Sql.timestamp(s, 7, defined.at());
        s.setLong(8, seqNr);
        s.executeUpdate();
      }
      return;
    }
    String sql;
    if (event instanceof EnabledChanged) {
      sql = ENABLED_CHANGED;
    } else if (event instanceof Acknowledged) {
      sql = ACKNOWLEDGED;
    } else if (event instanceof RunAdmitted) {
      sql = RUN_ADMITTED;
    } else if (event instanceof RunEnded) {
      sql = RUN_ENDED;
    } else {
      throw new IllegalArgumentException("unknown scenario event " + event.getClass().getName());
    }
    try (PreparedStatement s = connection.prepareStatement(sql)) {
      int i = 1;
      if (event instanceof EnabledChanged changed) {
        s.setBoolean(i++, changed.enabled());
      } else if (event instanceof RunAdmitted admitted) {
        for (int k = 0; k < 4; k++) {
          s.setString(i++, admitted.runId());
        }
        Sql.timestamp(s, i++, admitted.at());
      } else if (event instanceof RunEnded ended) {
        s.setInt(i++, ended.status() == RunStatus.SUCCEEDED ? 1 : 0);
        s.setInt(i++, failed(ended.status()) ? 1 : 0);
        s.setString(i++, ended.runId());
        s.setString(i++, ended.runId());
        Sql.timestamp(s, i++, ended.at());
        s.setString(i++, ended.status().name());
      }
      Sql.timestamp(s, i++, event.at());
      s.setLong(i++, seqNr);
      s.setString(i++, event.name());
      s.setLong(i, seqNr);
      s.executeUpdate();
    }
  }

  private static boolean failed(RunStatus status) {
    return status == RunStatus.FAILED || status == RunStatus.TIMED_OUT;
  }
}
