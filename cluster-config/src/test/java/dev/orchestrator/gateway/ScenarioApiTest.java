package dev.orchestrator.gateway;

import static dev.orchestrator.gateway.GatewayFixture.assertDetail;
import static dev.orchestrator.gateway.GatewayFixture.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scenario API on a real node, through the scenario and run entities and the orchestrator
 * singleton: define, read, list, switch off and on, run by hand and follow the run to its end,
 * acknowledge a block, cancel, and feed events to event-triggered scenarios.
 */
class ScenarioApiTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static final String ADMIN_ACTOR = "admin (ORCH_ADMIN_TOKEN)";
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static GatewayFixture gw;

  @BeforeAll
  static void startNode() throws Exception {
    gw = GatewayFixture.start("scenario-api");
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (gw != null) {
      gw.stop();
    }
  }

  private static String logScenario(String name, String extra) {
    return "name: "
        + name
        + "\ndescription: says hello\ntrigger: { type: manual }\n"
        + extra
        + "actions:\n"
        + "  - { type: log_event, level: info, message: \"hello {{ trigger.data.who }}\" }\n";
  }

  @Test
  void aDefinitionIsStoredVersionedAndRead() {
    String path = "/api/v1/scenarios/api-hello";
    HttpResponse<String> created = putYaml(path, logScenario("api-hello", ""));
    assertEquals(201, created.statusCode(), created::body);
    assertTrue(created.headers().firstValue("Location").orElse("").endsWith(path));
    JsonNode view = Api.json(created);
    assertEquals("api-hello", view.path("name").asText());
    assertEquals(1, view.path("version").asLong());
    assertEquals("API", view.path("source").asText());
    assertTrue(view.path("enabled").asBoolean());
    assertFalse(view.path("blocked").asBoolean());
    assertEquals("manual", view.path("trigger").asText());
    assertEquals("says hello", view.path("definition").path("description").asText());

    HttpResponse<String> read = gw.admin.get(path);
    assertEquals(200, read.statusCode(), read::body);
    assertEquals(view.path("definition"), Api.json(read).path("definition"));

    HttpResponse<String> changed = putYaml(path, logScenario("api-hello", "priority: 3\n"));
    assertEquals(200, changed.statusCode(), changed::body);
    assertEquals(2, Api.json(changed).path("version").asLong());
    assertEquals(3, Api.json(changed).path("priority").asInt());
    HttpResponse<String> same = putYaml(path, logScenario("api-hello", "priority: 3\n"));
    assertEquals(200, same.statusCode(), same::body);
    assertEquals(2, Api.json(same).path("version").asLong(), "unchanged: same version");

    String json =
        "{\"name\":\"api-hello-json\",\"trigger\":{\"type\":\"event\",\"event\":{\"type\":\"X\"}},"
            + "\"actions\":[{\"type\":\"log_event\",\"level\":\"info\",\"message\":\"x\"}]}";
    HttpResponse<String> fromJson = gw.admin.put("/api/v1/scenarios/api-hello-json", json);
    assertEquals(201, fromJson.statusCode(), fromJson::body);

    Await.until(
        WITHIN,
        () -> {
          JsonNode events = Api.json(gw.admin.get("/api/v1/scenarios?trigger=event"));
          assertEquals(List.of("api-hello-json"), names(events), events::toString);
          JsonNode all = Api.json(gw.admin.get("/api/v1/scenarios"));
          assertEquals(List.of("api-hello", "api-hello-json"), names(all), all::toString);
          assertEquals(2, all.path("items").get(0).path("version").asLong(), all::toString);
        });
  }

  @Test
  void anUnknownScenarioIs404() {
    assertDetail(
        assertProblem(gw.admin.get("/api/v1/scenarios/api-nobody"), 404, "not-found"),
        "api-nobody");
    for (String verb : List.of("enable", "disable", "acknowledge")) {
      assertProblem(gw.admin.post("/api/v1/scenarios/api-nobody/" + verb, null), 404, "not-found");
    }
    JsonNode refused =
        assertProblem(gw.admin.post("/api/v1/scenarios/api-nobody/run", null), 404, "not-found");
    assertEquals("unknown", refused.path("code").asText(), refused::toString);
  }

  @Test
  void aManualRunGoesToItsEndAndIsListed() {
    assertEquals(
        201, putYaml("/api/v1/scenarios/api-run", logScenario("api-run", "")).statusCode());
    HttpResponse<String> started =
        gw.admin.post("/api/v1/scenarios/api-run/run", "{\"data\":{\"who\":\"operators\"}}");
    assertEquals(202, started.statusCode(), started::body);
    String runId = Api.json(started).path("runId").asText();
    UUID.fromString(runId);
    assertEquals("/api/v1/runs/" + runId, started.headers().firstValue("Location").orElse(""));

    JsonNode run = awaitRun(runId, "SUCCEEDED");
    assertEquals("api-run", run.path("scenario").asText());
    assertEquals("manual", run.path("trigger").path("type").asText());
    assertEquals(ADMIN_ACTOR, run.path("trigger").path("source").asText());
    assertEquals("operators", run.path("trigger").path("data").path("who").asText());
    JsonNode step = run.path("steps").get(0);
    assertEquals("actions[0]", step.path("path").asText(), run::toString);
    assertEquals("log_event", step.path("action").asText());
    assertEquals("SUCCEEDED", step.path("status").asText());

    Await.until(
        WITHIN,
        () -> {
          JsonNode page = Api.json(gw.admin.get("/api/v1/runs?scenario=api-run&status=SUCCEEDED"));
          assertEquals(1, page.path("items").size(), page::toString);
          JsonNode item = page.path("items").get(0);
          assertEquals(runId, item.path("id").asText());
          assertEquals(1, item.path("stepsDone").asInt(), item::toString);
          JsonNode scenario = Api.json(gw.admin.get("/api/v1/scenarios?trigger=manual"));
          JsonNode counted = find(scenario, "api-run");
          assertEquals(1, counted.path("runs").asLong(), counted::toString);
          assertEquals(1, counted.path("succeeded").asLong(), counted::toString);
        });
  }

  @Test
  void aDisabledScenarioDoesNotRunUntilEnabledAgain() {
    String base = "/api/v1/scenarios/api-switch";
    assertEquals(201, putYaml(base, logScenario("api-switch", "")).statusCode());

    HttpResponse<String> off = gw.admin.post(base + "/disable", null);
    assertEquals(200, off.statusCode(), off::body);
    assertFalse(Api.json(off).path("enabled").asBoolean());
    assertFalse(Api.json(gw.admin.get(base)).path("enabled").asBoolean());
    JsonNode refused = assertProblem(gw.admin.post(base + "/run", null), 409, "conflict");
    assertEquals("disabled", refused.path("code").asText(), refused::toString);

    HttpResponse<String> on = gw.admin.post(base + "/enable", null);
    assertEquals(200, on.statusCode(), on::body);
    assertTrue(Api.json(on).path("enabled").asBoolean());
    HttpResponse<String> run = gw.admin.post(base + "/run", "{\"force\":true}");
    assertEquals(202, run.statusCode(), run::body);
  }

  @Test
  void maxExecutionsBlocksUntilAcknowledged() {
    String base = "/api/v1/scenarios/api-once";
    assertEquals(201, putYaml(base, logScenario("api-once", "max_executions: 1\n")).statusCode());
    HttpResponse<String> first = gw.admin.post(base + "/run", null);
    assertEquals(202, first.statusCode(), first::body);
    awaitRun(Api.json(first).path("runId").asText(), "SUCCEEDED");

    JsonNode blocked = assertProblem(gw.admin.post(base + "/run", null), 409, "conflict");
    assertEquals("blocked", blocked.path("code").asText(), blocked::toString);
    assertTrue(Api.json(gw.admin.get(base)).path("blocked").asBoolean());

    HttpResponse<String> ack = gw.admin.post(base + "/acknowledge", null);
    assertEquals(200, ack.statusCode(), ack::body);
    assertFalse(Api.json(ack).path("blocked").asBoolean());
    HttpResponse<String> again = gw.admin.post(base + "/run", null);
    assertEquals(202, again.statusCode(), again::body);
  }

  @Test
  void aRunUnderWayIsCancelledOnceAndThenRefused() {
    gw.register("api-cancel-c", "{\"driver\":\"simulated\"}");
    String yaml =
        "name: api-cancel\ntrigger: { type: manual }\nactions:\n"
            + "  - { type: wait_for_state, target: api-cancel-c, state: RUN, timeout: 10m }\n";
    assertEquals(201, putYaml("/api/v1/scenarios/api-cancel", yaml).statusCode());
    HttpResponse<String> started = gw.admin.post("/api/v1/scenarios/api-cancel/run", null);
    assertEquals(202, started.statusCode(), started::body);
    String runId = Api.json(started).path("runId").asText();
    awaitRun(runId, "RUNNING");

    HttpResponse<String> cancelled =
        gw.admin.post("/api/v1/runs/" + runId + "/cancel", "{\"reason\":\"not today\"}");
    assertEquals(200, cancelled.statusCode(), cancelled::body);
    assertEquals("CANCELLED", Api.json(cancelled).path("status").asText(), cancelled::body);
    assertEquals(
        "CANCELLED", Api.json(gw.admin.get("/api/v1/runs/" + runId)).path("status").asText());

    assertProblem(gw.admin.post("/api/v1/runs/" + runId + "/cancel", null), 409, "conflict");
    String unknown = UUID.randomUUID().toString();
    assertDetail(assertProblem(gw.admin.get("/api/v1/runs/" + unknown), 404, "not-found"), unknown);
    assertProblem(gw.admin.post("/api/v1/runs/" + unknown + "/cancel", null), 404, "not-found");
  }

  @Test
  void anEventStartsTheScenariosItMatches() throws Exception {
    String yaml =
        "name: api-on-event\ntrigger: { type: event, event: { type: API_TEST_EVENT } }\nactions:\n"
            + "  - { type: log_event, level: info, message: \"from {{ trigger.source }}\" }\n";
    assertEquals(201, putYaml("/api/v1/scenarios/api-on-event", yaml).statusCode());
    try (SseClient stream =
        SseClient.open(gw.base, TestNodes.ADMIN_TOKEN, "?types=scenario", null)) {
      HttpResponse<String> accepted =
          gw.admin.post(
              "/api/v1/events",
              "{\"type\":\"API_TEST_EVENT\",\"source\":\"ups-1\",\"data\":{\"level\":3}}");
      assertEquals(202, accepted.statusCode(), accepted::body);
      JsonNode body = Api.json(accepted);
      assertFalse(body.path("eventId").asText().isBlank(), accepted::body);
      assertEquals(List.of("api-on-event"), strings(body.path("matched")), accepted::body);

      SseClient.Event started =
          stream.next(
              e ->
                  e.type().equals("scenario.RunStarted")
                      && e.data()
                          .path("event")
                          .path("spec")
                          .path("definition")
                          .path("name")
                          .asText()
                          .equals("api-on-event"),
              WITHIN);
      String runId = started.data().path("entityId").asText();
      JsonNode run = awaitRun(runId, "SUCCEEDED");
      assertEquals("event", run.path("trigger").path("type").asText());
      assertEquals("ups-1", run.path("trigger").path("source").asText());
      stream.next(
          e ->
              e.type().equals("scenario.RunFinished")
                  && e.data().path("entityId").asText().equals(runId),
          WITHIN);
    }

    HttpResponse<String> nobody = gw.admin.post("/api/v1/events", "{\"type\":\"NOBODY_LISTENS\"}");
    assertEquals(202, nobody.statusCode(), nobody::body);
    assertEquals(0, Api.json(nobody).path("matched").size(), nobody::body);
  }

  // ---------------------------------------------------------------- helpers

  private static JsonNode awaitRun(String runId, String status) {
    JsonNode[] seen = new JsonNode[1];
    Await.until(
        WITHIN,
        () -> {
          HttpResponse<String> read = gw.admin.get("/api/v1/runs/" + runId);
          assertEquals(200, read.statusCode(), read::body);
          seen[0] = Api.json(read);
          assertEquals(status, seen[0].path("status").asText(), read::body);
        });
    return seen[0];
  }

  private static HttpResponse<String> putYaml(String path, String yaml) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(gw.base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Authorization", "Bearer " + TestNodes.ADMIN_TOKEN)
            .header("Content-Type", "application/yaml")
            .PUT(HttpRequest.BodyPublishers.ofString(yaml))
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

  private static List<String> names(JsonNode listing) {
    List<String> names = new ArrayList<>();
    listing.path("items").forEach(item -> names.add(item.path("name").asText()));
    return names.stream().filter(n -> n.startsWith("api-hello")).toList();
  }

  private static JsonNode find(JsonNode listing, String name) {
    for (JsonNode item : listing.path("items")) {
      if (item.path("name").asText().equals(name)) {
        return item;
      }
    }
    throw new AssertionError(name + " is not listed: " + listing);
  }

  private static List<String> strings(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }
}
