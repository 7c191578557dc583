package dev.orchestrator.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.OversizedBody;
import dev.orchestrator.node.testkit.TestNodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * What the gateway tests share: one node per test class, a raw HTTP client for headers that {@link
 * Api} cannot send, problem+json assertions and direct reads of the audit trail, the journal and
 * the token table.
 */
final class GatewayFixture {
  static final Duration READ_SIDE = Duration.ofSeconds(30);
  static final String PROBLEM_PREFIX = "urn:orchestrator:problem:";

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  final Path dataDir;
  final Node node;
  final Api admin;
  final String base;

  private GatewayFixture(Path dataDir, Node node) {
    this.dataDir = dataDir;
    this.node = node;
    this.admin = TestNodes.api(node);
    this.base = "http://127.0.0.1:" + TestNodes.httpPort(node);
  }

  /** Starts a dev node with its own data directory and waits until it is ready. */
  static GatewayFixture start(String name) throws Exception {
    return start(name, Map.of());
  }

  /** Same, with more settings ({@code orchestrator.*} keys) on top of the dev ones. */
  static GatewayFixture start(String name, Map<String, Object> settings) throws Exception {
    Path dataDir = Files.createTempDirectory("gateway-" + name + "-");
    try {
      Map<String, Object> values = new HashMap<>(TestNodes.dev(dataDir));
      values.putAll(settings);
      GatewayFixture fixture = new GatewayFixture(dataDir, TestNodes.start("dev", values));
      TestNodes.awaitReady(fixture.admin);
      return fixture;
    } catch (Exception | Error e) {
      deleteLater(dataDir);
      throw e;
    }
  }

  void stop() throws Exception {
    TestNodes.stop(node);
    Path pid = dataDir.resolve("postgres").resolve("postmaster.pid");
    assertFalse(Files.exists(pid), "PostgreSQL still running in " + dataDir);
    delete(dataDir);
  }

  private static void deleteLater(Path dir) {
    dir.toFile().deleteOnExit();
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }

  DataSource dataSource() {
    return node.services().database().dataSource();
  }

  /** Sends a request with exactly the given Authorization header (none when null). */
  HttpResponse<String> raw(String method, String path, String body, String authorization) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    if (body != null) {
      request.header("Content-Type", "application/json");
      request.method(method, HttpRequest.BodyPublishers.ofString(body));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    if (OversizedBody.applies(body)) {
      return OversizedBody.send(request.build(), body);
    }
    try {
      return CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A GET as admin with one extra header. */
  HttpResponse<String> adminGet(String path, String header, String value) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + TestNodes.ADMIN_TOKEN)
            .header(header, value)
            .GET()
            .build();
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** An issued token: its id (for revocation) and its secret. */
  record Issued(String id, String name, String token) {}

  Issued issue(String name, String role) {
    HttpResponse<String> response =
        admin.post("/api/v1/tokens", "{\"name\":\"" + name + "\",\"role\":\"" + role + "\"}");
    assertEquals(201, response.statusCode(), response::body);
    JsonNode body = Api.json(response);
    assertEquals(name, body.path("name").asText());
    assertEquals(role, body.path("role").asText());
    return new Issued(body.path("id").asText(), name, body.path("token").asText());
  }

  void register(String id, String specJson) {
    HttpResponse<String> response = admin.put("/api/v1/components/" + id, specJson);
    assertEquals(200, response.statusCode(), response::body);
  }

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
    assertTrue(!body.path("title").asText().isBlank(), "title of " + what);
    assertTrue(!body.path("detail").asText().isBlank(), "detail of " + what);
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

  /** One row of {@code audit_log}. */
  record AuditRow(
      long id, String actor, String role, String method, String path, int status, String outcome) {}

  long lastAuditId() {
    return queryLong("SELECT coalesce(max(id), 0) FROM audit_log");
  }

  /** Audit rows written after {@code marker} for this method and path. */
  List<AuditRow> auditAfter(long marker, String method, String path) {
    List<AuditRow> rows = new ArrayList<>();
    try (Connection c = dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT id, actor, role, method, path, status, outcome FROM audit_log"
                    + " WHERE id > ? AND method = ? AND path = ? ORDER BY id")) {
      s.setLong(1, marker);
      s.setString(2, method);
      s.setString(3, path);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          rows.add(
              new AuditRow(
                  r.getLong("id"),
                  r.getString("actor"),
                  r.getString("role"),
                  r.getString("method"),
                  r.getString("path"),
                  r.getInt("status"),
                  r.getString("outcome")));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return rows;
  }

  /**
   * Asserts that exactly one audit row was written after {@code marker} for the call, with this
   * actor, role (null for anonymous), status and outcome. The gateway commits the row before it
   * answers, so no waiting is needed.
   */
  void assertAudited(
      long marker,
      String method,
      String path,
      String actor,
      String role,
      int status,
      String outcome) {
    List<AuditRow> rows = auditAfter(marker, method, path);
    assertEquals(1, rows.size(), "audit rows for " + method + " " + path + ": " + rows);
    AuditRow row = rows.get(0);
    assertEquals(actor, row.actor(), "audit actor of " + row);
    assertEquals(role, row.role(), "audit role of " + row);
    assertEquals(status, row.status(), "audit status of " + row);
    assertEquals(outcome, row.outcome(), "audit outcome of " + row);
  }

  /** Events in the journal for component {@code id}. */
  long journalRows(String componentId) {
    try (Connection c = dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT count(*) FROM event_journal WHERE persistence_id = ?")) {
      s.setString(1, "Component|" + componentId);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Registration events (Registered, SpecChanged, Deregistered) of component {@code id}: the
   * journal rows an operator's definition calls write, without those that polling adds.
   */
  long definitionRows(String componentId) {
    return eventRows(componentId, "Registered")
        + eventRows(componentId, "SpecChanged")
        + eventRows(componentId, "Deregistered");
  }

  /** Events of one type ({@code ComponentEvent}'s simple name) of component {@code id}. */
  long eventRows(String componentId, String eventType) {
    try (Connection c = dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM event_journal WHERE persistence_id = ?"
                    + " AND event_ser_manifest = ?")) {
      s.setString(1, "Component|" + componentId);
      s.setString(2, "dev.orchestrator.protocol.component.ComponentEvent$" + eventType);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits until component {@code id} reports {@code state} and its first health answer. */
  JsonNode awaitState(String componentId, String state) {
    JsonNode[] seen = new JsonNode[1];
    dev.orchestrator.node.testkit.Await.until(
        READ_SIDE,
        () -> {
          HttpResponse<String> read = admin.get("/api/v1/components/" + componentId);
          assertEquals(200, read.statusCode(), read::body);
          JsonNode view = Api.json(read);
          assertEquals(state, view.path("state").asText(), view::toString);
          assertTrue(view.path("health").isObject(), view::toString);
          seen[0] = view;
        });
    return seen[0];
  }

  long queryLong(String sql) {
    try (Connection c = dataSource().getConnection();
        PreparedStatement s = c.prepareStatement(sql);
        ResultSet r = s.executeQuery()) {
      assertTrue(r.next(), sql);
      return r.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every row of {@code table}, every column as text, for "does it contain X" checks. */
  List<String> dump(String table) {
    List<String> rows = new ArrayList<>();
    try (Connection c = dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("SELECT * FROM " + table);
        ResultSet r = s.executeQuery()) {
      int columns = r.getMetaData().getColumnCount();
      while (r.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= columns; i++) {
          row.append(r.getMetaData().getColumnName(i))
              .append('=')
              .append(r.getString(i))
              .append(' ');
        }
        rows.add(row.toString());
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return rows;
  }

  /** The ids of a component page's items. */
  static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.path("items").forEach(item -> ids.add(item.path("id").asText()));
    return ids;
  }
}
