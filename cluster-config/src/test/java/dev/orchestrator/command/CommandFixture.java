package dev.orchestrator.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariDataSource;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.TestNodes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import javax.sql.DataSource;

/**
 * What the durable command tests share: one dev node per test class, submitting and reading
 * commands over HTTP, waiting for a final status, and reading a command's events straight from
 * {@code event_journal}.
 */
final class CommandFixture {
  /** Deadline for a command to finish, or for the read side to catch up: CI is a loaded 2-core. */
  static final Duration DEADLINE = Duration.ofSeconds(60);

  static final String PROBLEM_PREFIX = "urn:orchestrator:problem:";
  static final Set<String> FINAL =
      Set.of("SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT", "NOT_FOUND");

  private static final ObjectMapper MAPPER = new ObjectMapper();

  final Path dataDir;
  final Node node;
  final Api api;

  private CommandFixture(Path dataDir, Node node) {
    this.dataDir = dataDir;
    this.node = node;
    this.api = TestNodes.api(node);
  }

  /** Starts a dev node with its own data directory and waits until it is ready. */
  static CommandFixture start(String name) throws Exception {
    Path dataDir = Files.createTempDirectory("commands-" + name + "-");
    try {
      CommandFixture fixture =
          new CommandFixture(dataDir, TestNodes.start("dev", TestNodes.dev(dataDir)));
      TestNodes.awaitReady(fixture.api);
      return fixture;
    } catch (Exception | Error e) {
      dataDir.toFile().deleteOnExit();
      throw e;
    }
  }

  void stop() throws Exception {
    TestNodes.stop(node);
    Path pid = dataDir.resolve("postgres").resolve("postmaster.pid");
    assertFalse(Files.exists(pid), "PostgreSQL still running in " + dataDir);
    try (Stream<Path> paths = Files.walk(dataDir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  DataSource dataSource() {
    return node.services().database().dataSource();
  }

  /** The JDBC URL of the node's (embedded) database, for a second node on the same database. */
  String jdbcUrl() {
    return ((HikariDataSource) dataSource()).getJdbcUrl();
  }

  /** The node's cluster port. */
  int nodePort() {
    return node.settings().nodePort();
  }

  // ---------------------------------------------------------------- HTTP

  /** {@code POST /api/v1/commands}; asserts 202 {id, status} and its Location, returns the id. */
  String submit(String json) {
    return Api.json(accepted(api.post("/api/v1/commands", json))).path("id").asText();
  }

  /** Asserts a 202 answer to a submit and returns it. */
  static HttpResponse<String> accepted(HttpResponse<String> response) {
    assertEquals(202, response.statusCode(), response::body);
    JsonNode body = Api.json(response);
    String id = body.path("id").asText();
    assertFalse(id.isBlank(), "no id in " + response.body());
    assertFalse(body.path("status").asText().isBlank(), "no status in " + response.body());
    assertEquals(
        "/api/v1/commands/" + id,
        response.headers().firstValue("Location").orElse(""),
        "Location of " + response.body());
    return response;
  }

  /** {@code GET /api/v1/commands/{id}}, which must answer 200. */
  JsonNode get(String id) {
    HttpResponse<String> response = api.get("/api/v1/commands/" + id);
    assertEquals(200, response.statusCode(), () -> "GET " + id + ": " + response.body());
    return Api.json(response);
  }

  /** Waits until the command has a final status and returns its view. */
  JsonNode awaitFinal(String id) {
    return awaitFinal(id, DEADLINE);
  }

  JsonNode awaitFinal(String id, Duration deadline) {
    AtomicReference<JsonNode> last = new AtomicReference<>();
    Await.until(
        deadline,
        () -> {
          JsonNode view = get(id);
          last.set(view);
          assertTrue(FINAL.contains(view.path("status").asText()), "not final: " + view);
        });
    return last.get();
  }

  /** Waits until the command has this status (final or not) and returns its view. */
  JsonNode awaitStatus(String id, String status) {
    AtomicReference<JsonNode> last = new AtomicReference<>();
    Await.until(
        DEADLINE,
        () -> {
          JsonNode view = get(id);
          last.set(view);
          String now = view.path("status").asText();
          if (FINAL.contains(now) && !now.equals(status)) {
            // Final and wrong: no point in waiting. Thrown as an Error Await does not catch.
            throw new FinalMismatch("expected " + status + ", but it ended " + now + ": " + view);
          }
          assertEquals(status, now, () -> "status of " + view);
        });
    return last.get();
  }

  /** A command ended in another final status than the one waited for. */
  static final class FinalMismatch extends Error {
    FinalMismatch(String message) {
      super(message);
    }
  }

  /** Asserts that the final view has this status. */
  static void assertStatus(String status, JsonNode view) {
    assertEquals(status, view.path("status").asText(), () -> "status of " + view);
  }

  static Instant instant(JsonNode view, String field) {
    JsonNode value = view.path(field);
    assertTrue(value.isTextual(), () -> field + " is not set in " + view);
    return Instant.parse(value.asText());
  }

  static boolean isNull(JsonNode view, String field) {
    return view.path(field).isNull() || view.path(field).isMissingNode();
  }

  // ---------------------------------------------------------------- problems

  /**
   * Asserts a problem+json answer with this status and type slug, and returns its body. The {@code
   * status} member must equal the HTTP status and {@code title}, {@code detail} be set.
   */
  static JsonNode assertProblem(HttpResponse<String> response, int status, String slug) {
    String what = response.request().method() + " " + response.uri() + " -> " + response.body();
    assertEquals(status, response.statusCode(), what);
    String contentType = response.headers().firstValue("Content-Type").orElse("");
    assertTrue(
        contentType.startsWith("application/problem+json"),
        "content type '" + contentType + "' of " + what);
    JsonNode body = Api.json(response);
    assertEquals(PROBLEM_PREFIX + slug, body.path("type").asText(), what);
    assertEquals(status, body.path("status").asInt(), what);
    assertFalse(body.path("title").asText().isBlank(), "title of " + what);
    assertFalse(body.path("detail").asText().isBlank(), "detail of " + what);
    return body;
  }

  /** Asserts that the problem's detail contains every fragment. */
  static void assertDetail(JsonNode problem, String... fragments) {
    String detail = problem.path("detail").asText();
    for (String fragment : fragments) {
      assertTrue(
          detail.contains(fragment), "detail '" + detail + "' should mention '" + fragment + "'");
    }
  }

  // ---------------------------------------------------------------- journal

  /** One row of {@code event_journal}: the event's simple class name and its JSON payload. */
  record Event(long ordering, long seqNr, String type, JsonNode payload) {
    Instant at(String field) {
      JsonNode value = payload.path(field);
      if (value.isNumber()) {
        // WRITE_DATES_AS_TIMESTAMPS: seconds with a fraction.
        return Instant.ofEpochSecond(0, value.decimalValue().movePointRight(9).longValue());
      }
      assertTrue(value.isTextual(), () -> field + " is not set in " + type + " " + payload);
      return Instant.parse(value.asText());
    }

    int attempt() {
      return payload.path("attempt").asInt(-1);
    }

    @Override
    public String toString() {
      return type + "#" + seqNr + " " + payload;
    }
  }

  /** The events of command {@code id}, in sequence-number order. */
  List<Event> events(String id) {
    List<Event> events = new ArrayList<>();
    try (Connection c = dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT ordering, sequence_number, event_ser_manifest, event_payload"
                    + " FROM event_journal WHERE persistence_id = ? ORDER BY sequence_number")) {
      s.setString(1, "Command|" + id);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          String manifest = r.getString(3);
          String type = manifest.substring(Math.max(manifest.lastIndexOf('$'), 0) + 1);
          events.add(new Event(r.getLong(1), r.getLong(2), type, json(r.getBytes(4))));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return events;
  }

  /** The simple names of the events of command {@code id}, in order. */
  List<String> eventTypes(String id) {
    return events(id).stream().map(Event::type).toList();
  }

  /** Rows of {@code event_journal} that belong to commands. */
  long commandJournalRows() {
    return queryLong("SELECT count(*) FROM event_journal WHERE persistence_id LIKE 'Command|%'");
  }

  /** Commands that have at least one event (= were accepted). */
  long commandsInJournal() {
    return queryLong(
        "SELECT count(DISTINCT persistence_id) FROM event_journal"
            + " WHERE persistence_id LIKE 'Command|%'");
  }

  long queryLong(String sql, Object... params) {
    try (Connection c = dataSource().getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        s.setObject(i + 1, params[i]);
      }
      try (ResultSet r = s.executeQuery()) {
        assertTrue(r.next(), sql);
        return r.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(byte[] payload) {
    try {
      InputStream in = new ByteArrayInputStream(payload);
      if (payload.length > 2 && (payload[0] & 0xff) == 0x1f && (payload[1] & 0xff) == 0x8b) {
        in = new GZIPInputStream(in);
      }
      return MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("event payload is not JSON", e);
    }
  }

  /** JSON text of a string, quoted and escaped. */
  static String quote(String text) {
    try {
      return MAPPER.writeValueAsString(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
