package dev.orchestrator.gateway;

import static dev.orchestrator.gateway.GatewayFixture.assertDetail;
import static dev.orchestrator.gateway.GatewayFixture.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.OversizedBody;
import dev.orchestrator.node.testkit.TestNodes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whatever a client sends wrong to the scenario API ({@code /scenarios}, {@code /runs}, {@code
 * /events}), the answer is a 4xx problem+json that says what is wrong, the refusal is audited, and
 * nothing is journaled: no call here reaches a scenario or run entity or the orchestrator.
 */
class ScenarioBadInputTest {
  private static final String ADMIN_ACTOR = "admin (ORCH_ADMIN_TOKEN)";
  private static final String YAML = "application/yaml";
  private static final String JSON = "application/json";
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static final String VALID =
      """
      name: nightly
      description: a valid file
      trigger: { type: manual }
      actions:
        - { type: log_event, level: info, message: "hello {{ trigger.source }}" }
      """;

  /** trigger.type is wrong, on line 2. */
  private static final String WRONG_TRIGGER =
      """
      name: broken
      trigger: { type: sometimes }
      actions:
        - { type: log_event, level: info, message: hi }
      """;

  private static GatewayFixture gw;
  private long journalBefore;

  @BeforeAll
  static void startNode() throws Exception {
    gw = GatewayFixture.start("scenario-bad-input");
    // The built-in scenarios are defined when the orchestrator starts; once they are listed, the
    // journal holds still for the checks that nothing is written.
    Await.until(
        GatewayFixture.READ_SIDE,
        () ->
            assertEquals(
                BUILTIN, names(Api.json(gw.admin.get("/api/v1/scenarios")).path("items"))));
  }

  private static final List<String> BUILTIN =
      List.of("fault_notification", "graceful_shutdown", "startup");

  private static List<String> names(JsonNode items) {
    List<String> names = new ArrayList<>();
    items.forEach(i -> names.add(i.path("name").asText()));
    return names.stream().sorted().toList();
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (gw != null) {
      gw.stop();
    }
  }

  @BeforeEach
  void countJournal() {
    journalBefore = scenarioJournalRows();
  }

  @AfterEach
  void nothingWasJournaled() {
    assertEquals(journalBefore, scenarioJournalRows(), "scenario and run events in the journal");
  }

  private static long scenarioJournalRows() {
    return gw.queryLong(
        "SELECT count(*) FROM event_journal WHERE persistence_id LIKE 'Scenario%'"
            + " OR persistence_id LIKE 'Orchestrator%'");
  }

  // ---------------------------------------------------------------- PUT and validate

  @Test
  void aDefinitionThatDoesNotValidateIsPlacedByLineColumnAndPath() {
    String path = "/api/v1/scenarios/broken";
    long marker = gw.lastAuditId();
    HttpResponse<String> response = send("PUT", path, YAML, WRONG_TRIGGER);

    JsonNode problem = assertProblem(response, 400, "invalid-scenario");
    assertDetail(problem, "1 problem", "line 2, column ", "at trigger.type", "sometimes");
    JsonNode problems = problem.path("problems");
    assertEquals(1, problems.size(), problem::toString);
    assertEquals(2, problems.get(0).path("line").asInt(), problem::toString);
    assertTrue(problems.get(0).path("column").asInt() > 1, problem::toString);
    assertEquals("trigger.type", problems.get(0).path("path").asText());
    assertTrue(problems.get(0).path("message").asText().contains("sometimes"), problem::toString);
    gw.assertAudited(marker, "PUT", path, ADMIN_ACTOR, "admin", 400, "rejected");
  }

  @Test
  void everyProblemOfAFileIsListed() {
    String yaml =
        """
        name: broken
        priority: 5000
        trigger: { type: manual }
        max_executions: 0
        actions: []
        """;
    JsonNode problem =
        assertProblem(send("PUT", "/api/v1/scenarios/broken", YAML, yaml), 400, "invalid-scenario");
    JsonNode problems = problem.path("problems");
    assertTrue(problems.size() >= 2, problem::toString);
    assertDetail(problem, problems.size() + " problems: ");
    for (JsonNode item : problems) {
      assertTrue(item.path("line").asInt() >= 1, item::toString);
      assertTrue(item.path("column").asInt() >= 1, item::toString);
      assertTrue(item.has("path") && item.has("message"), item::toString);
      assertDetail(problem, "line " + item.path("line").asInt() + ", column ");
    }
  }

  @Test
  void aSyntaxErrorIsPlacedToo() {
    String yaml = "name: broken\ntrigger: { type: manual\nactions: []\n";
    JsonNode problem =
        assertProblem(send("PUT", "/api/v1/scenarios/broken", YAML, yaml), 400, "invalid-scenario");
    JsonNode first = problem.path("problems").get(0);
    assertTrue(first.path("line").asInt() >= 2, problem::toString);
    assertDetail(problem, "not valid syntax");

    String json = "{\"name\": \"broken\",\n \"trigger\": {\"type\": \"manual\"},,\n}";
    JsonNode jsonProblem =
        assertProblem(send("PUT", "/api/v1/scenarios/broken", JSON, json), 400, "invalid-scenario");
    assertEquals(
        2, jsonProblem.path("problems").get(0).path("line").asInt(), jsonProblem::toString);
  }

  @Test
  void aNameThatDiffersFromThePathIs400() {
    String path = "/api/v1/scenarios/other";
    long marker = gw.lastAuditId();
    JsonNode problem = assertProblem(send("PUT", path, YAML, VALID), 400, "validation");
    assertDetail(problem, "'nightly'", "'other'", "must be the same");
    gw.assertAudited(marker, "PUT", path, ADMIN_ACTOR, "admin", 400, "rejected");
  }

  @Test
  void aBodyOverOneMebibyteIs413() {
    String huge = VALID + "# " + "x".repeat(1024 * 1024 + 10) + "\n";
    for (String path : List.of("/api/v1/scenarios/nightly", "/api/v1/scenarios/validate")) {
      String method = path.endsWith("validate") ? "POST" : "PUT";
      JsonNode problem = assertProblem(send(method, path, YAML, huge), 413, "payload-too-large");
      assertDetail(problem, "1 MiB");
    }
  }

  @Test
  void aScenarioOverTheLoadersLimitIs400WithTheLimit() {
    String big = VALID + "# " + "x".repeat(300 * 1024) + "\n";
    JsonNode problem =
        assertProblem(
            send("POST", "/api/v1/scenarios/validate", YAML, big), 400, "invalid-scenario");
    assertDetail(problem, "too large", "262144");
  }

  @Test
  void anUnknownMediaTypeIs415() {
    for (String type : List.of("text/plain", "application/xml", "application/octet-stream")) {
      JsonNode problem =
          assertProblem(
              send("PUT", "/api/v1/scenarios/nightly", type, VALID), 415, "unsupported-media-type");
      assertDetail(problem, "application/yaml", "application/json", type);
      assertProblem(
          send("POST", "/api/v1/scenarios/validate", type, VALID), 415, "unsupported-media-type");
    }
    assertProblem(
        send("PUT", "/api/v1/scenarios/nightly", null, VALID), 415, "unsupported-media-type");
  }

  @Test
  void textThatIsNotUtf8Is400() {
    HttpRequest request =
        request("POST", "/api/v1/scenarios/validate", YAML)
            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'n', ':', ' ', (byte) 0xff}))
            .build();
    assertDetail(assertProblem(execute(request), 400, "validation"), "UTF-8");
  }

  @Test
  void validateAnswersWithoutStoring() {
    JsonNode broken =
        assertProblem(
            send("POST", "/api/v1/scenarios/validate", YAML, WRONG_TRIGGER),
            400,
            "invalid-scenario");
    assertEquals("trigger.type", broken.path("problems").get(0).path("path").asText());

    for (String type : List.of(YAML, "application/x-yaml", "text/yaml; charset=utf-8")) {
      HttpResponse<String> valid = send("POST", "/api/v1/scenarios/validate", type, VALID);
      assertEquals(200, valid.statusCode(), valid::body);
      JsonNode body = Api.json(valid);
      assertTrue(body.path("valid").asBoolean(), valid::body);
      assertEquals("nightly", body.path("scenario").path("name").asText(), valid::body);
      assertEquals("manual", body.path("scenario").path("trigger").path("type").asText());
      assertEquals("log_event", body.path("scenario").path("actions").get(0).path("type").asText());
    }
    String json =
        "{\"name\":\"nightly\",\"trigger\":{\"type\":\"manual\"},"
            + "\"actions\":[{\"type\":\"log_event\",\"level\":\"info\",\"message\":\"hi\"}]}";
    HttpResponse<String> fromJson = send("POST", "/api/v1/scenarios/validate", JSON, json);
    assertEquals(200, fromJson.statusCode(), fromJson::body);

    // Nothing was stored: the list has the built-ins only, and no entity was asked.
    HttpResponse<String> list = gw.admin.get("/api/v1/scenarios");
    assertEquals(200, list.statusCode(), list::body);
    assertEquals(BUILTIN, names(Api.json(list).path("items")), list::body);
  }

  @Test
  void validateNeedsOnlyTheViewerRole() throws Exception {
    GatewayFixture.Issued viewer = gw.issue("scenario-bad-input-viewer", "viewer");
    HttpResponse<String> response =
        execute(
            request("POST", "/api/v1/scenarios/validate", YAML, "Bearer " + viewer.token())
                .POST(HttpRequest.BodyPublishers.ofString(VALID))
                .build());
    assertEquals(200, response.statusCode(), response::body);
  }

  // ---------------------------------------------------------------- names, filters, run bodies

  static Stream<Arguments> badScenarioCalls() {
    return Stream.of(
        Arguments.of("PUT", "/api/v1/scenarios/bad$name", YAML, VALID, List.of("bad$name")),
        Arguments.of("GET", "/api/v1/scenarios/.hidden", null, null, List.of(".hidden")),
        Arguments.of(
            "GET",
            "/api/v1/scenarios/" + "x".repeat(65),
            null,
            null,
            List.of("scenario name", "65")),
        Arguments.of("POST", "/api/v1/scenarios/bad$/enable", null, null, List.of("bad$")),
        Arguments.of("POST", "/api/v1/scenarios/bad$/disable", null, null, List.of("bad$")),
        Arguments.of("POST", "/api/v1/scenarios/bad$/acknowledge", null, null, List.of("bad$")),
        Arguments.of("POST", "/api/v1/scenarios/bad$/run", null, null, List.of("bad$")),
        Arguments.of(
            "GET",
            "/api/v1/scenarios?trigger=sometimes",
            null,
            null,
            List.of("'sometimes'", "event")),
        Arguments.of("GET", "/api/v1/scenarios?enabled=maybe", null, null, List.of("'maybe'")),
        Arguments.of(
            "POST",
            "/api/v1/scenarios/nightly/run",
            JSON,
            "{\"data\":\"text\"}",
            List.of("data must be a JSON object", "string")),
        Arguments.of(
            "POST",
            "/api/v1/scenarios/nightly/run",
            JSON,
            "{\"data\":[1,2]}",
            List.of("data must be a JSON object", "array")));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badScenarioCalls")
  void aBadNameFilterOrRunBodyIs400(
      String method, String path, String type, String body, List<String> fragments) {
    JsonNode problem = assertProblem(send(method, path, type, body), 400, "validation");
    assertDetail(problem, fragments.toArray(String[]::new));
  }

  static Stream<Arguments> malformedRunBodies() {
    return Stream.of(
        Arguments.of("{\"force\":\"yes\"}", List.of("force")),
        Arguments.of("{\"data\":{},\"colour\":1}", List.of("colour", "force")),
        Arguments.of("{\"force\":", List.of("not valid JSON")),
        Arguments.of("[]", List.of("body")));
  }

  @ParameterizedTest(name = "POST run {0}")
  @MethodSource("malformedRunBodies")
  void aMalformedRunBodyIs400(String body, List<String> fragments) {
    String path = "/api/v1/scenarios/nightly/run";
    long marker = gw.lastAuditId();
    JsonNode problem = assertProblem(send("POST", path, JSON, body), 400, "malformed-json");
    assertDetail(problem, fragments.toArray(String[]::new));
    gw.assertAudited(marker, "POST", path, ADMIN_ACTOR, "admin", 400, "rejected");
  }

  @Test
  void theListsWorkFromTheReadSideAlone() {
    for (String path :
        List.of(
            "/api/v1/scenarios?trigger=schedule",
            "/api/v1/scenarios?trigger=event&enabled=false",
            "/api/v1/runs",
            "/api/v1/runs?scenario=nightly&status=RUNNING&limit=5")) {
      HttpResponse<String> response = gw.admin.get(path);
      assertEquals(200, response.statusCode(), path + ": " + response.body());
      assertEquals(0, Api.json(response).path("items").size(), response::body);
    }
  }

  // ---------------------------------------------------------------- runs

  static Stream<Arguments> badRunCalls() {
    String unknown = UUID.randomUUID().toString();
    return Stream.of(
        Arguments.of("GET", "/api/v1/runs?status=NOPE", List.of("status 'NOPE'", "SUCCEEDED")),
        Arguments.of("GET", "/api/v1/runs?status=running", List.of("status 'running'")),
        Arguments.of("GET", "/api/v1/runs?limit=0", List.of("limit", "'0'")),
        Arguments.of("GET", "/api/v1/runs?limit=-1", List.of("limit", "'-1'")),
        Arguments.of("GET", "/api/v1/runs?limit=abc", List.of("limit", "'abc'")),
        Arguments.of("GET", "/api/v1/runs?limit=1001", List.of("limit", "1000")),
        Arguments.of("GET", "/api/v1/runs?after=abc", List.of("after", "UUID", "'abc'")),
        Arguments.of("GET", "/api/v1/runs?after=" + unknown, List.of("after", unknown, "next")),
        Arguments.of("GET", "/api/v1/runs?scenario=bad$", List.of("bad$")),
        Arguments.of("GET", "/api/v1/runs/not-a-uuid", List.of("run id", "UUID", "'not-a-uuid'")),
        Arguments.of("GET", "/api/v1/runs/1-2-3-4-5", List.of("'1-2-3-4-5'")),
        Arguments.of("POST", "/api/v1/runs/not-a-uuid/cancel", List.of("run id", "'not-a-uuid'")));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("badRunCalls")
  void aBadRunQueryOrIdIs400(String method, String path, List<String> fragments) {
    long marker = gw.lastAuditId();
    JsonNode problem = assertProblem(send(method, path, null, null), 400, "validation");
    assertDetail(problem, fragments.toArray(String[]::new));
    if (method.equals("POST")) {
      gw.assertAudited(marker, method, path, ADMIN_ACTOR, "admin", 400, "rejected");
    }
  }

  @Test
  void aCancelWithAnUnknownFieldIs400() {
    String path = "/api/v1/runs/" + UUID.randomUUID() + "/cancel";
    JsonNode problem =
        assertProblem(send("POST", path, JSON, "{\"why\":\"x\"}"), 400, "malformed-json");
    assertDetail(problem, "why", "reason");
  }

  // ---------------------------------------------------------------- events

  static Stream<Arguments> badEvents() {
    return Stream.of(
        Arguments.of("no type", "{\"source\":\"ups\"}", "validation", List.of("type is required")),
        Arguments.of("empty type", "{\"type\":\"\"}", "validation", List.of("type is required")),
        Arguments.of(
            "type with a space",
            "{\"type\":\"POWER LOST\"}",
            "validation",
            List.of("'POWER LOST'", "letters, digits")),
        Arguments.of(
            "type of 129 characters",
            "{\"type\":\"" + "T".repeat(129) + "\"}",
            "validation",
            List.of("1 to 128")),
        Arguments.of(
            "data is a string",
            "{\"type\":\"PING\",\"data\":\"x\"}",
            "validation",
            List.of("data must be a JSON object", "string")),
        Arguments.of(
            "data is a number",
            "{\"type\":\"PING\",\"data\":5}",
            "validation",
            List.of("data must be a JSON object", "number")),
        Arguments.of(
            "blank source",
            "{\"type\":\"PING\",\"source\":\" \"}",
            "validation",
            List.of("source")),
        Arguments.of(
            "several problems at once",
            "{\"type\":\"a b\",\"data\":[]}",
            "validation",
            List.of("'a b'", "data must be")),
        Arguments.of(
            "unknown field",
            "{\"type\":\"PING\",\"payload\":{}}",
            "malformed-json",
            List.of("payload", "data", "source", "type")),
        Arguments.of("type is a number", "{\"type\":5}", "malformed-json", List.of("type")),
        Arguments.of("malformed JSON", "{\"type\":", "malformed-json", List.of("not valid JSON")),
        Arguments.of("empty body", "", "malformed-json", List.of("body")),
        Arguments.of("JSON null", "null", "malformed-json", List.of("null")));
  }

  @ParameterizedTest(name = "POST events: {0}")
  @MethodSource("badEvents")
  void aBadEventIs400(String label, String body, String slug, List<String> fragments) {
    long marker = gw.lastAuditId();
    JsonNode problem = assertProblem(send("POST", "/api/v1/events", JSON, body), 400, slug);
    assertDetail(problem, fragments.toArray(String[]::new));
    gw.assertAudited(marker, "POST", "/api/v1/events", ADMIN_ACTOR, "admin", 400, "rejected");
  }

  @Test
  void aBadStreamTypeStillNamesTheScenarioFamily() {
    JsonNode problem =
        assertProblem(
            gw.raw(
                "GET",
                "/api/v1/events/stream?types=bogus",
                null,
                "Bearer " + TestNodes.ADMIN_TOKEN),
            400,
            "validation");
    assertDetail(problem, "scenario");
  }

  // ---------------------------------------------------------------- helpers

  private static HttpRequest.Builder request(String method, String path, String type) {
    return request(method, path, type, "Bearer " + TestNodes.ADMIN_TOKEN);
  }

  private static HttpRequest.Builder request(
      String method, String path, String type, String authorization) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(gw.base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", authorization);
    if (type != null) {
      request.header("Content-Type", type);
    }
    return request;
  }

  /** Sends {@code body} as admin with exactly this Content-Type (none when null). */
  private static HttpResponse<String> send(String method, String path, String type, String body) {
    HttpRequest.Builder request = request(method, path, type);
    request.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (OversizedBody.applies(body)) {
      return OversizedBody.send(request.build(), body);
    }
    return execute(request.build());
  }

  private static HttpResponse<String> execute(HttpRequest request) {
    try {
      return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
