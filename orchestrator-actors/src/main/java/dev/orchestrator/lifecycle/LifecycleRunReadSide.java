package dev.orchestrator.lifecycle;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.jdbc.javadsl.JdbcHandler;
import dev.orchestrator.cluster.EntityKeeper;
import dev.orchestrator.cluster.ReadSideRows;
import dev.orchestrator.db.GroupedTableProjection;
import dev.orchestrator.db.PooledJdbcSession;
import dev.orchestrator.protocol.lifecycle.LifecycleRunCommand;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.Finished;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.Started;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.util.List;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * The {@code lifecycle_runs} table (a run's id, RUNNING until it finishes, then its final status),
 * folded from the run entities' events, and the keeper that starts the unfinished runs no node runs
 * (after a crash, a restart, a handed-over shard): run entities are not remembered by sharding,
 * whose write before a new run could start sat on the path from the request to the first command.
 */
public final class LifecycleRunReadSide {
  private static final String RUNNING =
      "SELECT id, updated_at FROM lifecycle_runs WHERE status = 'RUNNING'";
  private static final String INSERT =
      "INSERT INTO lifecycle_runs (status, started_at, updated_at, id)"
          + " VALUES ('RUNNING', ?, ?, ?) ON CONFLICT (id) DO NOTHING";
  private static final String UPDATE =
      "UPDATE lifecycle_runs SET status = ?, updated_at = ? WHERE id = ?";

  private LifecycleRunReadSide() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    GroupedTableProjection.<LifecycleRunEvent>init(
        system,
        dataSource,
        "lifecycle-runs",
        LifecycleRunEntity.TAGS,
        Handler::new,
        system.settings().config().getConfig("orchestrator.lifecycle.projection"));
  }

  /** The keeper of unfinished runs, settings at {@code orchestrator.lifecycle.keeper}. */
  public static Behavior<EntityKeeper.Message> keeper(
      ActorSystem<?> system, DataSource dataSource, Executor blocking) {
    return EntityKeeper.create(
        EntityKeeper.Settings.of(system, "orchestrator.lifecycle.keeper"),
        new EntityKeeper.Kept<>(
            "unfinished lifecycle runs",
            LifecycleRunEntity.ENTITY_TYPE_KEY,
            ReadSideRows.of(dataSource, blocking, RUNNING),
            LifecycleRunCommand.Wake::new));
  }

  /**
   * Started inserts the row (RUNNING), Finished sets its final status; the rest changes nothing.
   * The group's inserts go in one batch before its updates (a run's Started precedes its Finished).
   */
  static final class Handler
      extends JdbcHandler<List<EventEnvelope<LifecycleRunEvent>>, PooledJdbcSession> {
    @Override
    public void process(PooledJdbcSession session, List<EventEnvelope<LifecycleRunEvent>> envelopes)
        throws Exception {
      session.withConnection(
          connection -> {
            try (PreparedStatement insert = connection.prepareStatement(INSERT);
                PreparedStatement update = connection.prepareStatement(UPDATE)) {
              for (EventEnvelope<LifecycleRunEvent> envelope : envelopes) {
                LifecycleRunEvent event = envelope.event();
                Timestamp at = Timestamp.from(event.at());
                if (event instanceof Started) {
                  insert.setTimestamp(1, at);
                  insert.setTimestamp(2, at);
                  insert.setString(3, event.runId());
                  insert.addBatch();
                } else if (event instanceof Finished finished) {
                  update.setString(1, finished.status());
                  update.setTimestamp(2, at);
                  update.setString(3, event.runId());
                  update.addBatch();
                }
              }
              insert.executeBatch();
              update.executeBatch();
            }
            return null;
          });
    }
  }
}
