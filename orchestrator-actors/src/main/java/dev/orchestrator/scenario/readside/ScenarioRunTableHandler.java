package dev.orchestrator.scenario.readside;

import akka.projection.eventsourced.EventEnvelope;
import akka.projection.jdbc.javadsl.JdbcHandler;
import dev.orchestrator.db.PooledJdbcSession;
import dev.orchestrator.protocol.scenario.RunStatus;
import dev.orchestrator.protocol.scenario.RunTrigger;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.RunFinished;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.RunStarted;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.StepFailed;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.StepSkipped;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.StepSucceeded;
import dev.orchestrator.protocol.scenario.ScenarioRunSpec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

/**
 * Folds a group of run events into the {@code scenario_runs} table, in journal order, one statement
 * per event; the projection commits the group and its offset in one transaction.
 *
 * <p>{@code RunStarted} inserts the row (RUNNING); a step that ended for good (succeeded, skipped,
 * or failed with no attempt left) adds one to {@code steps_done}; {@code RunFinished} sets the
 * status, error and end. Other events only move {@code seq_nr} on. An event at or below the row's
 * {@code seq_nr} is a replay and changes nothing, so the fold is idempotent.
 */
final class ScenarioRunTableHandler
    extends JdbcHandler<List<EventEnvelope<ScenarioRunEvent>>, PooledJdbcSession> {

  private static final String STARTED =
      "INSERT INTO scenario_runs (id, scenario, version, status, trigger_type, trigger_source,"
          + " parent_run_id, created_at, updated_at, seq_nr) VALUES (?, ?, ?, '"
          + RunStatus.RUNNING
          + "', ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING";

  private static final String STEP_DONE = update("steps_done = steps_done + 1, ");

  private static final String FINISHED = update("status = ?, error = ?, finished_at = ?, ");

  private static final String OTHER = update("");

  /** An update by id that sets {@code assignments} (each followed by ", "), updated_at, seq_nr. */
  private static String update(String assignments) {
    return "UPDATE scenario_runs SET "
        + assignments
        + "updated_at = ?, seq_nr = ? WHERE id = ? AND seq_nr < ?";
  }

  @Override
  public void process(PooledJdbcSession session, List<EventEnvelope<ScenarioRunEvent>> envelopes)
      throws Exception {
    session.withConnection(
        connection -> {
          for (EventEnvelope<ScenarioRunEvent> envelope : envelopes) {
            write(connection, envelope.event(), envelope.sequenceNr());
          }
          return null;
        });
  }

  private static void write(Connection connection, ScenarioRunEvent event, long seqNr)
      throws SQLException {
    if (event instanceof RunStarted started) {
      try (PreparedStatement s = connection.prepareStatement(STARTED)) {
        ScenarioRunSpec spec = started.spec();
        RunTrigger trigger = spec.trigger();
        s.setString(1, started.runId());
        s.setString(2, spec.scenario());
        s.setLong(3, spec.version());
        s.setString(4, trigger == null ? "manual" : trigger.type());
        s.setString(5, trigger == null ? null : trigger.source());
        s.setString(6, spec.parentRunId());
        Sql.timestamp(s, 7, started.at());
        Sql.timestamp(s, 8, started.at());
        s.setLong(9, seqNr);
        s.executeUpdate();
      }
      return;
    }
    boolean stepDone =
        event instanceof StepSucceeded
            || event instanceof StepSkipped
            || (event instanceof StepFailed failed && failed.retryAt() == null);
    String sql = stepDone ? STEP_DONE : event instanceof RunFinished ? FINISHED : OTHER;
    try (PreparedStatement s = connection.prepareStatement(sql)) {
      int i = 1;
      if (event instanceof RunFinished finished) {
        s.setString(i++, finished.status().name());
        s.setString(i++, finished.error());
        Sql.timestamp(s, i++, finished.at());
      }
      Sql.timestamp(s, i++, event.at());
      s.setLong(i++, seqNr);
      s.setString(i++, event.runId());
      s.setLong(i, seqNr);
      s.executeUpdate();
    }
  }
}
