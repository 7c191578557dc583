package dev.orchestrator.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.typed.ActorSystem;
import akka.persistence.typed.PersistenceId;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.Ports;
import dev.orchestrator.node.testkit.TestJournal;
import dev.orchestrator.node.testkit.TestNodes;
import dev.orchestrator.protocol.command.CommandEvent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.GZIPInputStream;
import javax.sql.DataSource;

/**
 * Helpers of the durable-command restart and crash tests: submit and read commands over HTTP, wait
 * for a final status, and read a command's events straight from the journal.
 */
final class CommandTestSupport {
  static final ObjectMapper MAPPER = new ObjectMapper();

  /** Statuses a command never leaves. */
  static final Set<String> FINAL =
      Set.of("SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT", "NOT_FOUND");

  private CommandTestSupport() {}

  /** {@code POST /api/v1/commands}, which must answer 202; returns {@code {id, status}}. */
  /** {@code orchestrator.*} overrides of an in-process cluster-mode node with {@code roles}. */
  static Map<String, Object> clusterNode(
      int nodePort, String jdbcUrl, String seed, String roles, java.nio.file.Path dataDir) {
    Map<String, Object> values = new HashMap<>();
    values.put("orchestrator.mode", "cluster");
    values.put("orchestrator.db.url", jdbcUrl);
    values.put("orchestrator.db.user", "postgres");
    values.put("orchestrator.db.password", "");
    values.put("orchestrator.node.port", nodePort);
    values.put("orchestrator.http.port", Ports.free());
    values.put("orchestrator.node.seed-nodes", seed);
    values.put("orchestrator.node.roles", roles);
    values.put("orchestrator.admin-token", TestNodes.ADMIN_TOKEN);
    values.put("orchestrator.data-dir", dataDir.toString());
    return values;
  }

  static JsonNode submit(Api api, String body) {
    HttpResponse<String> response = api.post("/api/v1/commands", body);
    assertEquals(
        202, response.statusCode(), "POST /api/v1/commands " + body + ": " + response.body());
    return Api.json(response);
  }

  /** {@code GET /api/v1/commands/{id}}: the command, or an AssertionError for any other answer. */
  static JsonNode get(Api api, String id) {
    HttpResponse<String> response = api.get("/api/v1/commands/" + id);
    if (response.statusCode() != 200) {
      throw new AssertionError(
          "GET " + id + " answered " + response.statusCode() + ": " + response.body());
    }
    return Api.json(response);
  }

  /** The HTTP status of {@code GET /api/v1/commands/{id}}. */
  static int status(Api api, String id) {
    return api.get("/api/v1/commands/" + id).statusCode();
  }

  /**
   * Waits until the command is readable and in a final status, and returns it (so that a wrong
   * final status fails with the whole command in the message, not after the deadline).
   */
  static JsonNode awaitFinal(Api api, String id, Duration deadline) {
    AtomicReference<JsonNode> last = new AtomicReference<>();
    Await.until(
        deadline,
        () -> {
          JsonNode view = get(api, id);
          last.set(view);
          String status = view.path("status").asText();
          if (!FINAL.contains(status)) {
            throw new AssertionError(id + " is still " + status + ": " + view);
          }
        });
    return last.get();
  }

  /** Waits until the command is in {@code status} (which may be a passing one, like RUNNING). */
  static JsonNode awaitStatus(Api api, String id, String status, Duration deadline) {
    AtomicReference<JsonNode> last = new AtomicReference<>();
    Await.until(
        deadline,
        () -> {
          JsonNode view = get(api, id);
          last.set(view);
          assertEquals(status, view.path("status").asText(), id + ": " + view);
        });
    return last.get();
  }

  /** One journaled event of a command. */
  record Event(long sequenceNr, String type, Instant written, String writer, JsonNode payload) {
    int attempt() {
      return payload.path("attempt").asInt(-1);
    }
  }

  /**
   * Journals {@code events} for command {@code id}, tagged as its entity tags them, as a node that
   * died right after writing them would have left them (no entity of {@code id} runs).
   */
  static void writeJournal(ActorSystem<?> system, String id, CommandEvent... events)
      throws Exception {
    TestJournal.write(
        system,
        PersistenceId.of(CommandEntity.ENTITY_TYPE_KEY.name(), id),
        CommandTags.tagFor(id),
        List.of(events));
  }

  /** The events of command {@code id} in journal order ({@code persistence_id = Command|id}). */
  static List<Event> journal(DataSource database, String id) {
    try (Connection connection = database.getConnection()) {
      return journal(connection, id);
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read the journal of " + id, e);
    }
  }

  static List<Event> journal(Connection connection, String id) throws SQLException {
    List<Event> events = new ArrayList<>();
    try (PreparedStatement select =
        connection.prepareStatement(
            "SELECT sequence_number, event_ser_manifest, write_timestamp, writer, event_payload"
                + " FROM event_journal WHERE persistence_id = ? AND NOT deleted"
                + " ORDER BY sequence_number")) {
      select.setString(1, "Command|" + id);
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          String manifest = rows.getString(2);
          String type =
              manifest.substring(
                  Math.max(manifest.lastIndexOf('$'), manifest.lastIndexOf('.')) + 1);
          events.add(
              new Event(
                  rows.getLong(1),
                  type,
                  Instant.ofEpochMilli(rows.getLong(3)),
                  rows.getString(4),
                  payload(rows.getBytes(5))));
        }
      }
    }
    return events;
  }

  /** The types of {@code events}, in order. */
  static List<String> types(List<Event> events) {
    return events.stream().map(Event::type).toList();
  }

  /** The events of the given type, in order. */
  static List<Event> ofType(List<Event> events, String type) {
    return events.stream().filter(e -> e.type().equals(type)).toList();
  }

  private static JsonNode payload(byte[] bytes) {
    try {
      // Akka's jackson-json serializer gzips large payloads (none here, but be safe).
      if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
          return MAPPER.readTree(in);
        }
      }
      return MAPPER.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static long millis(long fromNanos, long toNanos) {
    return Duration.ofNanos(toNanos - fromNanos).toMillis();
  }
}
