package dev.orchestrator.component;

import akka.projection.eventsourced.EventEnvelope;
import akka.projection.jdbc.javadsl.JdbcHandler;
import dev.orchestrator.db.PooledJdbcSession;
import dev.orchestrator.protocol.component.ComponentEvent;
import dev.orchestrator.protocol.component.ComponentEvent.BreakerClosed;
import dev.orchestrator.protocol.component.ComponentEvent.BreakerHalfOpened;
import dev.orchestrator.protocol.component.ComponentEvent.BreakerOpened;
import dev.orchestrator.protocol.component.ComponentEvent.Deregistered;
import dev.orchestrator.protocol.component.ComponentEvent.FaultInjected;
import dev.orchestrator.protocol.component.ComponentEvent.Faulted;
import dev.orchestrator.protocol.component.ComponentEvent.HealthChanged;
import dev.orchestrator.protocol.component.ComponentEvent.LifecycleRequested;
import dev.orchestrator.protocol.component.ComponentEvent.Recovered;
import dev.orchestrator.protocol.component.ComponentEvent.Registered;
import dev.orchestrator.protocol.component.ComponentEvent.SpecChanged;
import dev.orchestrator.protocol.component.ComponentEvent.StateChanged;
import dev.orchestrator.protocol.component.ComponentEvent.Unreachable;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.FsmState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes one component event into the {@code components} query table. {@code state_since} is the
 * time of the event that put the component in its present state (its registration, or the last
 * {@link StateChanged} to another state); other events leave it alone, except that a row folded
 * before the column existed gets the time of its next event: a lower bound of how long the
 * component has been in its state, never more than the truth.
 */
final class ComponentTableHandler
    extends JdbcHandler<List<EventEnvelope<ComponentEvent>>, PooledJdbcSession> {

  private static final String UPSERT =
      "INSERT INTO components (id, driver, endpoint, groups, depends_on, poll_interval_ms, state,"
          + " state_since, registered_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON"
          + " CONFLICT (id) DO"
          + " UPDATE SET driver = excluded.driver, endpoint = excluded.endpoint, groups ="
          + " excluded.groups, depends_on = excluded.depends_on, poll_interval_ms ="
          + " excluded.poll_interval_ms, state_since = COALESCE(components.state_since,"
          + " excluded.state_since), updated_at = excluded.updated_at";

  /**
   * Folds a group of events, in order, in the projection's one transaction (which also stores the
   * offset): one commit for the group instead of one per event. Consecutive events that need the
   * same statement (a wave of state changes, a burst of registrations) go to PostgreSQL as one JDBC
   * batch: one round trip for them rather than one each, still executed in the group's order.
   */
  @Override
  public void process(PooledJdbcSession session, List<EventEnvelope<ComponentEvent>> envelopes)
      throws Exception {
    session.withConnection(
        connection -> {
          try (Batches batches = new Batches(connection)) {
            for (EventEnvelope<ComponentEvent> envelope : envelopes) {
              fold(batches, envelope.event());
            }
          }
          return null;
        });
  }

  /**
   * The statement being batched: a different statement sends the batch before it, so the rows
   * change in the order of the events.
   */
  private static final class Batches implements AutoCloseable {
    private final Connection connection;
    private String sql;
    private PreparedStatement statement;

    Batches(Connection connection) {
      this.connection = connection;
    }

    /** The statement for {@code sql}, to bind and then {@link PreparedStatement#addBatch()}. */
    PreparedStatement next(String sql) throws SQLException {
      if (!sql.equals(this.sql)) {
        close();
        statement = connection.prepareStatement(sql);
        this.sql = sql;
      }
      return statement;
    }

    /** Sends what is batched. */
    @Override
    public void close() throws SQLException {
      if (statement != null) {
        try {
          statement.executeBatch();
        } finally {
          statement.close();
          statement = null;
          sql = null;
        }
      }
    }
  }

  private static void fold(Batches batches, ComponentEvent event) throws SQLException {
    if (event instanceof Registered registered) {
      upsert(batches, registered.id(), registered.spec(), registered);
    } else if (event instanceof SpecChanged changed) {
      upsert(batches, changed.id(), changed.spec(), changed);
    } else if (event instanceof Deregistered) {
      PreparedStatement delete = batches.next("DELETE FROM components WHERE id = ?");
      delete.setString(1, event.id());
      delete.addBatch();
    } else {
      observed(batches, event);
    }
  }

  /** An observation or request: one UPDATE of the columns it changes. */
  private static void observed(Batches batches, ComponentEvent event) throws SQLException {
    Timestamp at = Timestamp.from(event.at());
    List<Object> values = new ArrayList<>();
    String set;
    if (event instanceof LifecycleRequested e) {
      set = "desired_state = ?";
      values.add(e.desired().name());
    } else if (event instanceof StateChanged e) {
      // SET expressions read the row as it was: the clock restarts only on a different state.
      set =
          "state = ?, state_since = CASE WHEN state = ? THEN COALESCE(state_since, ?) ELSE ? END,"
              + " error = ?, last_seen = ?";
      values.add(e.to().name());
      values.add(e.to().name());
      values.add(at);
      values.add(at);
      values.add(e.error());
      values.add(at);
    } else if (event instanceof Faulted e) {
      set = "error = ?, last_seen = ?";
      values.add(e.error());
      values.add(at);
    } else if (event instanceof HealthChanged e) {
      set = "health = ?::jsonb, last_seen = ?";
      values.add(e.health() == null ? null : e.health().toString());
      values.add(at);
    } else if (event instanceof Unreachable e) {
      set = "unreachable = true, error = ?";
      values.add(e.reason());
    } else if (event instanceof Recovered) {
      set =
          "unreachable = false, error = CASE WHEN state = '"
              + FsmState.FAULT.name()
              + "' THEN error ELSE NULL END, last_seen = ?";
      values.add(at);
    } else if (event instanceof BreakerOpened) {
      set = "breaker = 'OPEN'";
    } else if (event instanceof BreakerHalfOpened) {
      set = "breaker = 'HALF_OPEN'";
    } else if (event instanceof BreakerClosed) {
      set = "breaker = 'CLOSED'";
    } else if (event instanceof FaultInjected e) {
      set = "fault = ?";
      values.add(e.fault().name());
    } else {
      return;
    }
    if (!(event instanceof StateChanged)) {
      set += ", state_since = COALESCE(state_since, ?)";
      values.add(at);
    }
    PreparedStatement update =
        batches.next("UPDATE components SET " + set + ", updated_at = ? WHERE id = ?");
    int i = 1;
    for (Object value : values) {
      if (value == null) {
        update.setNull(i++, Types.VARCHAR);
      } else {
        update.setObject(i++, value);
      }
    }
    update.setTimestamp(i++, at);
    update.setString(i, event.id());
    update.addBatch();
  }

  private static void upsert(Batches batches, String id, ComponentSpec spec, ComponentEvent event)
      throws SQLException {
    PreparedStatement upsert = batches.next(UPSERT);
    Connection connection = upsert.getConnection();
    Timestamp at = Timestamp.from(event.at());
    upsert.setString(1, id);
    upsert.setString(2, spec.driver());
    upsert.setString(3, spec.endpoint());
    upsert.setArray(4, connection.createArrayOf("text", spec.groups().toArray()));
    upsert.setArray(5, connection.createArrayOf("text", spec.dependsOn().toArray()));
    upsert.setLong(6, spec.pollInterval().toMillis());
    upsert.setString(7, FsmState.UNKNOWN.name());
    upsert.setTimestamp(8, at);
    upsert.setTimestamp(9, at);
    upsert.setTimestamp(10, at);
    upsert.addBatch();
  }
}
