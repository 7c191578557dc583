package dev.orchestrator.gateway;

import static dev.orchestrator.gateway.GatewayFixture.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/v1/lifecycle}: a command for a group in dependency order, on simulated
 * components, with its report; a laggard past its step deadline and the dependants it holds back;
 * bad input.
 */
class LifecycleRunTest {
  private static final Duration WITHIN = Duration.ofSeconds(60);

  /** cache and db alone; api on both; web on api. */
  private static final Map<String, List<String>> SHOP =
      Map.of(
          "db",
          List.of(),
          "cache",
          List.of(),
          "api",
          List.of("db", "cache"),
          "web",
          List.of("api"));

  private static GatewayFixture gw;
  private static Api api;

  @BeforeAll
  static void startNode() throws Exception {
    gw = GatewayFixture.start("lifecycle");
    api = gw.admin;
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (gw != null) {
      gw.stop();
    }
  }

  private static void registerShop(String prefix, String group) {
    SHOP.forEach(
        (id, deps) -> {
          StringBuilder dependsOn = new StringBuilder();
          for (String dep : deps) {
            dependsOn
                .append(dependsOn.length() == 0 ? "" : ",")
                .append("\"")
                .append(prefix + dep)
                .append("\"");
          }
          gw.register(
              prefix + id,
              "{\"driver\":\"simulated\",\"groups\":[\""
                  + group
                  + "\"],\"dependsOn\":["
                  + dependsOn
                  + "],\"pollInterval\":\"200ms\"}");
        });
    // Listed by the read side, and each observed at rest in STOPPED.
    Await.until(
        WITHIN,
        () ->
            assertEquals(
                4, Api.json(api.get("/api/v1/components?group=" + group)).path("items").size()));
    for (String id : SHOP.keySet()) {
      awaitState(prefix + id, "STOPPED");
    }
  }

  private static void awaitState(String id, String state) {
    Await.until(
        WITHIN,
        () ->
            assertEquals(
                state, Api.json(api.get("/api/v1/components/" + id)).path("state").asText(), id));
  }

  private static JsonNode run(String body) {
    HttpResponse<String> r = api.post("/api/v1/lifecycle", body);
    assertEquals(202, r.statusCode(), r::body);
    String location = r.headers().firstValue("Location").orElseThrow();
    JsonNode accepted = Api.json(r);
    assertEquals("/api/v1/lifecycle/" + accepted.path("id").asText(), location);
    JsonNode[] report = new JsonNode[1];
    Await.until(
        WITHIN,
        () -> {
          report[0] = Api.json(api.get(location));
          assertNotEquals("RUNNING", report[0].path("status").asText(), report[0].toString());
        });
    return report[0];
  }

  private static List<List<String>> plan(JsonNode report) {
    List<List<String>> steps = new ArrayList<>();
    report
        .path("steps")
        .forEach(
            step -> {
              List<String> ids = new ArrayList<>();
              step.path("components").forEach(c -> ids.add(c.path("id").asText()));
              steps.add(ids);
            });
    return steps;
  }

  private static Map<String, JsonNode> outcomes(JsonNode report) {
    Map<String, JsonNode> outcomes = new HashMap<>();
    report
        .path("steps")
        .forEach(s -> s.path("components").forEach(c -> outcomes.put(c.path("id").asText(), c)));
    return outcomes;
  }

  private static Instant at(JsonNode outcome, String field) {
    return Instant.parse(outcome.path(field).asText());
  }

  @Test
  void startUpInDependencyOrderThenShutdownInReverse() {
    registerShop("a-", "shop-a");

    JsonNode up =
        run(
            "{\"target\":\"group:shop-a\",\"command\":\"CMD_INITIALIZED\",\"order\":\"dependencies\"}");
    assertEquals("SUCCEEDED", up.path("status").asText(), up.toString());
    assertEquals(List.of(List.of("a-cache", "a-db"), List.of("a-api"), List.of("a-web")), plan(up));
    Map<String, JsonNode> o = outcomes(up);
    for (JsonNode outcome : o.values()) {
      assertEquals("REACHED", outcome.path("status").asText(), outcome.toString());
      assertEquals("STOPPED", outcome.path("from").asText(), outcome.toString());
      assertEquals("INITIALIZED", outcome.path("reached").asText(), outcome.toString());
    }
    // Each component got its command only after its dependencies had reached INITIALIZED.
    assertFalse(
        at(o.get("a-api"), "sentAt").isBefore(at(o.get("a-db"), "finishedAt")), up.toString());
    assertFalse(
        at(o.get("a-api"), "sentAt").isBefore(at(o.get("a-cache"), "finishedAt")), up.toString());
    assertFalse(
        at(o.get("a-web"), "sentAt").isBefore(at(o.get("a-api"), "finishedAt")), up.toString());
    for (String id : SHOP.keySet()) {
      awaitState("a-" + id, "INITIALIZED");
    }

    JsonNode down =
        run(
            "{\"target\":\"group:shop-a\",\"command\":\"CMD_STOPPED\",\"order\":\"reverse-dependencies\"}");
    assertEquals("SUCCEEDED", down.path("status").asText(), down.toString());
    assertEquals(
        List.of(List.of("a-web"), List.of("a-api"), List.of("a-cache", "a-db")), plan(down));
    Map<String, JsonNode> d = outcomes(down);
    assertFalse(
        at(d.get("a-api"), "sentAt").isBefore(at(d.get("a-web"), "finishedAt")), down.toString());
    assertFalse(
        at(d.get("a-db"), "sentAt").isBefore(at(d.get("a-api"), "finishedAt")), down.toString());

    // Again: everything is there already, nothing is sent.
    JsonNode again =
        run(
            "{\"target\":\"group:shop-a\",\"command\":\"CMD_STOPPED\",\"order\":\"reverse-dependencies\"}");
    assertEquals("SUCCEEDED", again.path("status").asText(), again.toString());
    outcomes(again)
        .values()
        .forEach(c -> assertTrue(c.path("reason").asText().contains("already"), c.toString()));
  }

  @Test
  void aComponentPastItsStepDeadlineFailsAndHoldsBackItsDependants() {
    registerShop("b-", "shop-b");
    HttpResponse<String> fault =
        api.post("/api/v1/components/b-api/simulate", "{\"fault\":\"unresponsive\"}");
    assertTrue(fault.statusCode() == 200 || fault.statusCode() == 202, fault.body());

    JsonNode report =
        run(
            "{\"target\":\"group:shop-b\",\"command\":\"CMD_INITIALIZED\",\"order\":\"dependencies\","
                + "\"stepTimeout\":\"2s\",\"timeout\":\"1m\"}");
    assertEquals("FAILED", report.path("status").asText(), report.toString());
    Map<String, JsonNode> o = outcomes(report);
    assertEquals("REACHED", o.get("b-db").path("status").asText(), report.toString());
    assertEquals("REACHED", o.get("b-cache").path("status").asText(), report.toString());
    assertEquals("FAILED", o.get("b-api").path("status").asText(), report.toString());
    assertTrue(o.get("b-api").path("reason").asText().contains("2s"), report.toString());
    assertEquals("SKIPPED", o.get("b-web").path("status").asText(), report.toString());
    assertTrue(o.get("b-web").path("reason").asText().contains("b-api"), report.toString());
  }

  @Test
  void aSoftStopCountsComponentsAlreadyStoppedAsReached() {
    registerShop("d-", "shop-d");
    JsonNode up = run("{\"target\":\"d-db\",\"command\":\"CMD_INITIALIZED\",\"timeout\":\"1m\"}");
    assertEquals("SUCCEEDED", up.path("status").asText(), up.toString());
    // d-db rests in INITIALIZED, the other three in STOPPED: a graceful stop of the group
    // succeeds, the stopped ones counting as there already.
    JsonNode report =
        run(
            "{\"target\":\"group:shop-d\",\"command\":\"CMD_SOFT_STOP\","
                + "\"order\":\"reverse-dependencies\",\"timeout\":\"1m\"}");
    assertEquals("SUCCEEDED", report.path("status").asText(), report.toString());
    Map<String, JsonNode> o = outcomes(report);
    assertEquals("REACHED", o.get("d-web").path("status").asText(), report.toString());
    assertEquals("STOPPED", o.get("d-web").path("reached").asText(), report.toString());
    assertEquals("INITIALIZED", o.get("d-db").path("reached").asText(), report.toString());
  }

  @Test
  void aRegistrationThatClosesADependencyCycleIsRefusedNamingIt() {
    gw.register("c-x", "{\"driver\":\"simulated\",\"dependsOn\":[\"c-y\"]}");
    gw.register("c-y", "{\"driver\":\"simulated\",\"dependsOn\":[\"c-z\"]}");
    gw.register("c-z", "{\"driver\":\"simulated\"}");
    Await.until(
        WITHIN,
        () -> {
          JsonNode items = Api.json(api.get("/api/v1/components?after=c-&limit=10")).path("items");
          long ours = 0;
          for (JsonNode item : items) {
            ours += item.path("id").asText().startsWith("c-") ? 1 : 0;
          }
          assertEquals(3, ours, items.toString());
        });
    long before = gw.definitionRows("c-z");

    JsonNode problem =
        assertProblem(
            api.put("/api/v1/components/c-z", "{\"driver\":\"simulated\",\"dependsOn\":[\"c-x\"]}"),
            400,
            "validation");
    assertTrue(
        problem.path("detail").asText().contains("c-z → c-x → c-y → c-z"), problem.toString());
    assertEquals(before, gw.definitionRows("c-z"), "nothing persisted");
    assertEquals(
        0,
        Api.json(api.get("/api/v1/components/c-z")).path("spec").path("dependsOn").size(),
        "c-z keeps its old spec");

    // Depending on a component that is not registered yet is no cycle.
    gw.register("c-w", "{\"driver\":\"simulated\",\"dependsOn\":[\"c-later\"]}");
  }

  @Test
  void badInputIsRefusedWithAReason() {
    String path = "/api/v1/lifecycle";
    assertProblem(
        api.post(path, "{\"target\":\"@all\",\"command\":\"CMD_FLY\"}"), 400, "validation");
    assertProblem(api.post(path, "{\"command\":\"CMD_RUN\"}"), 400, "validation");
    assertProblem(
        api.post(path, "{\"target\":\"@all\",\"command\":\"CMD_RUN\",\"order\":\"random\"}"),
        400,
        "validation");
    assertProblem(
        api.post(path, "{\"target\":\"@all\",\"command\":\"CMD_RUN\",\"stepTimeout\":\"abc\"}"),
        400,
        "validation");
    assertProblem(
        api.post(
            path,
            "{\"target\":\"@all\",\"command\":\"CMD_RUN\",\"stepTimeout\":\"10m\",\"timeout\":\"1m\"}"),
        400,
        "validation");
    assertProblem(
        api.post(path, "{\"target\":\"@all\",\"command\":\"CMD_RUN\",\"extra\":1}"),
        400,
        "malformed-json");
    assertProblem(
        api.post(path, "{\"target\":\"group:no-such-group\",\"command\":\"CMD_RUN\"}"),
        404,
        "not-found");
    assertProblem(
        api.post(path, "{\"target\":\"no-such-component\",\"command\":\"CMD_RUN\"}"),
        404,
        "not-found");
    assertProblem(
        api.post(path, "{\"target\":\"group:bad name\",\"command\":\"CMD_RUN\"}"),
        400,
        "validation");
    assertProblem(api.get(path + "/not-a-uuid"), 400, "validation");
    assertProblem(api.get(path + "/" + java.util.UUID.randomUUID()), 404, "not-found");
    assertProblem(
        api.as(null).post(path, "{\"target\":\"@all\",\"command\":\"CMD_RUN\"}"),
        401,
        "unauthorized");
  }
}
