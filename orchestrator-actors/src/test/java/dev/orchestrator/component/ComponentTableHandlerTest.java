package dev.orchestrator.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import akka.persistence.query.Offset;
import akka.projection.eventsourced.EventEnvelope;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orchestrator.db.PooledJdbcSession;
import dev.orchestrator.db.TestPostgres;
import dev.orchestrator.protocol.component.ComponentEvent;
import dev.orchestrator.protocol.component.ComponentEvent.Faulted;
import dev.orchestrator.protocol.component.ComponentEvent.HealthChanged;
import dev.orchestrator.protocol.component.ComponentEvent.Recovered;
import dev.orchestrator.protocol.component.ComponentEvent.Registered;
import dev.orchestrator.protocol.component.ComponentEvent.SpecChanged;
import dev.orchestrator.protocol.component.ComponentEvent.StateChanged;
import dev.orchestrator.protocol.component.ComponentEvent.Unreachable;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.FsmState;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ComponentTableHandler} on a real PostgreSQL: {@code state_since} follows the state, for
 * the {@code component: {state, for}} condition.
 */
class ComponentTableHandlerTest {
  private static final Instant T0 = Instant.parse("2030-05-01T12:00:00Z");
  private static final ComponentSpec SPEC =
      new ComponentSpec("simulated", null, List.of("power"), List.of(), Duration.ofSeconds(1));

  @TempDir static Path tempDir;
  private static TestPostgres db;

  private final ComponentTableHandler handler = new ComponentTableHandler();
  private final AtomicLong offsets = new AtomicLong();

  @BeforeAll
  static void startDatabase() throws Exception {
    db = TestPostgres.start(tempDir.resolve("pg"));
  }

  @AfterAll
  static void stopDatabase() throws Exception {
    if (db != null) {
      db.close();
    }
  }

  @BeforeEach
  void emptyTable() throws Exception {
    db.execute("TRUNCATE components");
  }

  private void fold(ComponentEvent event) throws Exception {
    foldTogether(List.of(event));
  }

  /** Folds {@code events} as one group, as the projection does with the events read together. */
  private void foldTogether(List<ComponentEvent> events) throws Exception {
    PooledJdbcSession session = new PooledJdbcSession(db.dataSource());
    try {
      List<EventEnvelope<ComponentEvent>> envelopes = new ArrayList<>();
      for (ComponentEvent event : events) {
        envelopes.add(
            EventEnvelope.create(
                Offset.sequence(offsets.incrementAndGet()),
                "Component|" + event.id(),
                offsets.get(),
                event,
                event.at().toEpochMilli()));
      }
      handler.process(session, envelopes);
      session.commit();
    } finally {
      session.close();
    }
  }

  private static Instant stateSince(String id) throws Exception {
    try (Connection c = db.database().connection();
        PreparedStatement s =
            c.prepareStatement("SELECT state, state_since FROM components WHERE id = ?")) {
      s.setString(1, id);
      try (ResultSet row = s.executeQuery()) {
        row.next();
        Timestamp since = row.getTimestamp("state_since");
        return since == null ? null : since.toInstant();
      }
    }
  }

  /** Every column of every row, in id order. */
  private static List<Map<String, Object>> table() throws Exception {
    List<Map<String, Object>> rows = new ArrayList<>();
    try (Connection c = db.database().connection();
        Statement s = c.createStatement();
        ResultSet row = s.executeQuery("SELECT * FROM components ORDER BY id")) {
      ResultSetMetaData columns = row.getMetaData();
      while (row.next()) {
        Map<String, Object> values = new LinkedHashMap<>();
        for (int i = 1; i <= columns.getColumnCount(); i++) {
          Object value = row.getObject(i);
          values.put(columns.getColumnName(i), value == null ? null : value.toString());
        }
        rows.add(values);
      }
    }
    return rows;
  }

  private static Instant at(int seconds) {
    return T0.plusSeconds(seconds);
  }

  @Test
  void theClockStartsAtRegistrationAndRestartsOnlyWhenTheStateChanges() throws Exception {
    fold(new Registered("ups", SPEC, at(0)));
    assertEquals(at(0), stateSince("ups"), "registered: UNKNOWN since then");

    fold(new StateChanged("ups", FsmState.UNKNOWN, FsmState.RUN, null, at(5)));
    assertEquals(at(5), stateSince("ups"));

    fold(new HealthChanged("ups", JsonNodeFactory.instance.objectNode().put("load", 1), at(6)));
    fold(new Unreachable("ups", 3, "timeout", at(7)));
    fold(new Recovered("ups", at(8)));
    fold(new SpecChanged("ups", SPEC, at(9)));
    assertEquals(at(5), stateSince("ups"), "observations and spec changes leave it alone");

    fold(new StateChanged("ups", FsmState.RUN, FsmState.RUN, null, at(10)));
    assertEquals(at(5), stateSince("ups"), "a change to the same state is no change");

    fold(new StateChanged("ups", FsmState.RUN, FsmState.FAULT, "overload", at(12)));
    fold(new Faulted("ups", "overload", at(13)));
    assertEquals(at(12), stateSince("ups"));
  }

  @Test
  void aRowFoldedBeforeTheColumnExistedGetsTheTimeOfItsNextEvent() throws Exception {
    fold(new Registered("old", SPEC, at(0)));
    try (Connection c = db.database().connection();
        Statement s = c.createStatement()) {
      s.execute("UPDATE components SET state = 'RUN', state_since = NULL WHERE id = 'old'");
    }
    assertNull(stateSince("old"));

    fold(new HealthChanged("old", JsonNodeFactory.instance.objectNode(), at(30)));
    assertEquals(at(30), stateSince("old"), "a lower bound: in RUN at least since then");

    fold(new HealthChanged("old", JsonNodeFactory.instance.objectNode(), at(40)));
    assertEquals(at(30), stateSince("old"));
  }

  @Test
  void aReRegistrationAfterDeregistrationStartsAgain() throws Exception {
    fold(new Registered("ups", SPEC, at(0)));
    fold(new StateChanged("ups", FsmState.UNKNOWN, FsmState.RUN, null, at(5)));
    fold(new ComponentEvent.Deregistered("ups", at(20)));
    fold(new Registered("ups", SPEC, at(30)));
    assertEquals(at(30), stateSince("ups"));
  }

  @Test
  void aGroupFoldsAsItsEventsOneByOne() throws Exception {
    ObjectNode load = JsonNodeFactory.instance.objectNode().put("load", 2);
    List<ComponentEvent> events = new ArrayList<>();
    for (String id : List.of("a", "b", "c")) {
      events.add(new Registered(id, SPEC, at(0)));
    }
    for (String id : List.of("a", "b", "c")) {
      events.add(new StateChanged(id, FsmState.UNKNOWN, FsmState.STOPPED, null, at(1)));
    }
    events.add(new StateChanged("a", FsmState.STOPPED, FsmState.RUN, null, at(2)));
    events.add(new StateChanged("a", FsmState.RUN, FsmState.FAULT, "overload", at(3)));
    events.add(new HealthChanged("b", load, at(4)));
    events.add(new Unreachable("b", 3, "timeout", at(5)));
    events.add(new Recovered("b", at(6)));
    events.add(new ComponentEvent.Deregistered("c", at(7)));
    events.add(new Registered("c", SPEC, at(8)));
    events.add(new StateChanged("c", FsmState.UNKNOWN, FsmState.STOPPED, null, at(9)));

    for (ComponentEvent event : events) {
      fold(event);
    }
    List<Map<String, Object>> oneByOne = table();
    db.execute("TRUNCATE components");
    foldTogether(events);
    List<Map<String, Object>> together = table();

    assertEquals(oneByOne, together);
    assertEquals(3, together.size(), "c was deregistered, then registered again");
    assertEquals("FAULT", together.get(0).get("state"), "a's changes in their order");
    assertEquals("overload", together.get(0).get("error"));
    assertEquals(Timestamp.from(at(3)).toString(), together.get(0).get("state_since"));
    assertEquals("false", together.get(1).get("unreachable"), "b recovered after it was lost");
    assertEquals(Timestamp.from(at(8)).toString(), together.get(2).get("registered_at"));
  }
}
