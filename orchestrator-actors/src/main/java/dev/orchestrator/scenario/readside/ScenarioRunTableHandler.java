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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Folds a group of run events into the {@code scenario_runs} table; the projection commits the
 * group and its offset in one transaction.
 *
 * <p>{@code RunStarted} inserts the row (RUNNING); a step that ended for good (succeeded, skipped,
 * or failed with no attempt left) adds one to {@code steps_done}; {@code RunFinished} sets the
 * status, error and end. Other events only move {@code seq_nr} on. A run's events after its
 * RunStarted in one group are folded into one update (a five-step run journals a dozen events, most
 * of them in the same few groups), guarded by the first of them: an update whose events were all
 * folded before changes nothing. Should a group ever overlap what was folded only in part, that
 * run's events are folded one by one instead, each changing nothing at or below the row's {@code
 * seq_nr}; so the fold stays idempotent.
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

  /** One run's events of a group after its RunStarted, folded together. */
  private static final class Folded {
    final List<EventEnvelope<ScenarioRunEvent>> events = new ArrayList<>();
    int stepsDone;
    RunFinished finished;

    void add(EventEnvelope<ScenarioRunEvent> envelope) {
      events.add(envelope);
      if (stepDone(envelope.event())) {
        stepsDone++;
      } else if (envelope.event() instanceof RunFinished f) {
        finished = f;
      }
    }
  }

  private static final String FOLDED =
      "UPDATE scenario_runs SET steps_done = steps_done + ?, status = COALESCE(?, status),"
          + " error = CASE WHEN ? THEN ? ELSE error END, finished_at = COALESCE(?, finished_at),"
          + " updated_at = ?, seq_nr = ? WHERE id = ? AND seq_nr < ?";

  @Override
  public void process(PooledJdbcSession session, List<EventEnvelope<ScenarioRunEvent>> envelopes)
      throws Exception {
    Map<String, Folded> runs = new LinkedHashMap<>();
    session.withConnection(
        connection -> {
          for (EventEnvelope<ScenarioRunEvent> envelope : envelopes) {
            if (envelope.event() instanceof RunStarted started) {
              insert(connection, started, envelope.sequenceNr());
            } else {
              runs.computeIfAbsent(envelope.event().runId(), id -> new Folded()).add(envelope);
            }
          }
          for (Map.Entry<String, Folded> run : runs.entrySet()) {
            if (!update(connection, run.getKey(), run.getValue())) {
              for (EventEnvelope<ScenarioRunEvent> e : run.getValue().events) {
                write(connection, e.event(), e.sequenceNr());
              }
            }
          }
          return null;
        });
  }

  private static void insert(Connection connection, RunStarted started, long seqNr)
      throws SQLException {
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
  }

  /** Folds {@code run}'s events in one update; false when the row is not before all of them. */
  private static boolean update(Connection connection, String runId, Folded run)
      throws SQLException {
    EventEnvelope<ScenarioRunEvent> first = run.events.get(0);
    EventEnvelope<ScenarioRunEvent> last = run.events.get(run.events.size() - 1);
    try (PreparedStatement s = connection.prepareStatement(FOLDED)) {
      s.setInt(1, run.stepsDone);
      s.setString(2, run.finished == null ? null : run.finished.status().name());
      s.setBoolean(3, run.finished != null);
      s.setString(4, run.finished == null ? null : run.finished.error());
      Sql.timestamp(s, 5, run.finished == null ? null : run.finished.at());
      Sql.timestamp(s, 6, last.event().at());
      s.setLong(7, last.sequenceNr());
      s.setString(8, runId);
      s.setLong(9, first.sequenceNr());
      return s.executeUpdate() == 1;
    }
  }

  private static boolean stepDone(ScenarioRunEvent event) {
    return event instanceof StepSucceeded
        || event instanceof StepSkipped
        || (event instanceof StepFailed failed && failed.retryAt() == null);
  }

  /** One event on its own, changing nothing at or below the row's seq_nr. */
  private static void write(Connection connection, ScenarioRunEvent event, long seqNr)
      throws SQLException {
    String sql = stepDone(event) ? STEP_DONE : event instanceof RunFinished ? FINISHED : OTHER;
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
