package dev.orchestrator.component;

import akka.projection.eventsourced.EventEnvelope;
import akka.projection.jdbc.javadsl.JdbcHandler;
import dev.orchestrator.db.PooledJdbcSession;
import dev.orchestrator.protocol.component.ComponentEvent;
import dev.orchestrator.protocol.component.ComponentEvent.Deregistered;
import dev.orchestrator.protocol.component.ComponentEvent.Registered;
import dev.orchestrator.protocol.component.ComponentEvent.SpecChanged;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.FsmState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;

/** Writes one component event into the {@code components} query table. */
final class ComponentTableHandler
    extends JdbcHandler<EventEnvelope<ComponentEvent>, PooledJdbcSession> {

  private static final String UPSERT =
      "INSERT INTO components (id, driver, endpoint, groups, depends_on, poll_interval_ms, state,"
          + " registered_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO"
          + " UPDATE SET driver = excluded.driver, endpoint = excluded.endpoint, groups ="
          + " excluded.groups, depends_on = excluded.depends_on, poll_interval_ms ="
          + " excluded.poll_interval_ms, updated_at = excluded.updated_at";

  @Override
  public void process(PooledJdbcSession session, EventEnvelope<ComponentEvent> envelope)
      throws Exception {
    ComponentEvent event = envelope.event();
    session.withConnection(
        connection -> {
          if (event instanceof Registered registered) {
            upsert(connection, registered.id(), registered.spec(), registered);
          } else if (event instanceof SpecChanged changed) {
            upsert(connection, changed.id(), changed.spec(), changed);
          } else if (event instanceof Deregistered) {
            try (PreparedStatement delete =
                connection.prepareStatement("DELETE FROM components WHERE id = ?")) {
              delete.setString(1, event.id());
              delete.executeUpdate();
            }
          }
          return null;
        });
  }

  private static void upsert(
      Connection connection, String id, ComponentSpec spec, ComponentEvent event)
      throws SQLException {
    try (PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
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
      upsert.executeUpdate();
    }
  }
}
