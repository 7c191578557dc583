package dev.orchestrator.gateway;

import static dev.orchestrator.gateway.GatewayFixture.READ_SIDE;
import static dev.orchestrator.gateway.GatewayFixture.assertDetail;
import static dev.orchestrator.gateway.GatewayFixture.assertProblem;
import static dev.orchestrator.gateway.GatewayFixture.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/v1/components/{id}/lifecycle}, {@code .../simulate} and {@code GET .../history}
 * on a dev node with simulated components, polled every 100 ms.
 */
class ComponentLifecycleApiTest {
  private static final String ADMIN_ACTOR = "admin (ORCH_ADMIN_TOKEN)";
  private static final String FAST = "{\"driver\":\"simulated\",\"pollInterval\":\"100ms\"}";

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

  private static String path(String id, String action) {
    return "/api/v1/components/" + id + "/" + action;
  }

  private static JsonNode command(String id, String command, int status) {
    HttpResponse<String> response =
        api.post(path(id, "lifecycle"), "{\"command\":\"" + command + "\"}");
    assertEquals(status, response.statusCode(), response::body);
    return Api.json(response);
  }

  private static JsonNode simulate(String id, String fault) {
    HttpResponse<String> response = api.post(path(id, "simulate"), "{\"fault\":\"" + fault + "\"}");
    assertEquals(200, response.statusCode(), response::body);
    return Api.json(response);
  }

  private static JsonNode read(String id) {
    HttpResponse<String> response = api.get("/api/v1/components/" + id);
    assertEquals(200, response.statusCode(), response::body);
    return Api.json(response);
  }

  private static List<String> transitions(JsonNode history) {
    List<String> states = new ArrayList<>();
    history
        .path("states")
        .forEach(s -> states.add(s.path("from").asText() + ">" + s.path("to").asText()));
    return states;
  }

  @Test
  void aCommandTakesTheComponentThroughItsTransitionalStateToTheTarget() {
    gw.register("life-1", FAST);
    gw.awaitState("life-1", "STOPPED");

    long marker = gw.lastAuditId();
    JsonNode accepted = command("life-1", "CMD_INITIALIZED", 202);
    gw.assertAudited(
        marker, "POST", path("life-1", "lifecycle"), ADMIN_ACTOR, "admin", 202, "success");
    assertEquals("INITIALIZED", accepted.path("desiredState").asText());
    assertEquals("STOPPED", accepted.path("state").asText());
    gw.awaitState("life-1", "INITIALIZED");

    command("life-1", "CMD_RUN", 202);
    JsonNode running = gw.awaitState("life-1", "RUN");
    assertEquals("RUN", running.path("desiredState").asText());
    assertFalse(running.path("unreachable").asBoolean());
    assertEquals("CLOSED", running.path("breaker").asText());
    assertEquals("none", running.path("fault").asText());
    assertFalse(running.path("lastSeen").asText().isBlank(), running::toString);
    assertTrue(running.path("health").path("healthy").asBoolean(), running::toString);

    HttpResponse<String> history = api.get(path("life-1", "history"));
    assertEquals(200, history.statusCode(), history::body);
    JsonNode body = Api.json(history);
    assertEquals(
        List.of(
            "UNKNOWN>STOPPED",
            "STOPPED>INITIALIZING",
            "INITIALIZING>INITIALIZED",
            "INITIALIZED>STARTING",
            "STARTING>RUN"),
        transitions(body));
    assertTrue(
        body.path("health").get(0).path("health").path("healthy").asBoolean(), body::toString);

    // The read side: the list filters by the observed state.
    Await.until(
        READ_SIDE,
        () -> {
          HttpResponse<String> list = api.get("/api/v1/components?state=RUN");
          assertTrue(ids(Api.json(list)).contains("life-1"), list::body);
          JsonNode item = Api.json(list).path("items").get(0);
          assertEquals("RUN", item.path("desiredState").asText());
          assertTrue(item.path("health").isObject(), item::toString);
        });
  }

  @Test
  void aForbiddenCommandIs409WithTheStateAndTheAllowedCommandsAndPersistsNothing() {
    gw.register("life-2", FAST);
    gw.awaitState("life-2", "STOPPED");
    long rows = gw.journalRows("life-2");

    long marker = gw.lastAuditId();
    HttpResponse<String> response =
        api.post(path("life-2", "lifecycle"), "{\"command\":\"CMD_RUN\"}");

    JsonNode problem = assertProblem(response, 409, "conflict");
    assertDetail(problem, "life-2", "STOPPED", "CMD_RUN", "allowed commands: CMD_INITIALIZED");
    gw.assertAudited(
        marker, "POST", path("life-2", "lifecycle"), ADMIN_ACTOR, "admin", 409, "rejected");
    assertEquals(rows, gw.journalRows("life-2"));
    assertEquals(0, gw.eventRows("life-2", "LifecycleRequested"));
    assertEquals("STOPPED", read("life-2").path("state").asText());
  }

  @Test
  void anInjectedFaultIsAcknowledgedBackToStopped() {
    gw.register("life-3", FAST);
    gw.awaitState("life-3", "STOPPED");

    assertEquals("fault", simulate("life-3", "fault").path("fault").asText());

    JsonNode faulted = gw.awaitState("life-3", "FAULT");
    assertEquals("simulated fault injected by an operator", faulted.path("error").asText());
    assertDetail(
        assertProblem(
            api.post(path("life-3", "lifecycle"), "{\"command\":\"CMD_RUN\"}"), 409, "conflict"),
        "FAULT",
        "CMD_ACK");
    command("life-3", "CMD_ACK", 202);
    JsonNode stopped = gw.awaitState("life-3", "STOPPED");
    assertTrue(
        stopped.path("error").isNull() || stopped.path("error").isMissingNode(), stopped::toString);
    assertEquals(1, gw.eventRows("life-3", "Faulted"));
    assertEquals(1, gw.eventRows("life-3", "FaultInjected"));
  }

  @Test
  void anUnresponsiveComponentBecomesUnreachableAndRecovers() {
    gw.register("life-4", FAST);
    gw.awaitState("life-4", "STOPPED");

    simulate("life-4", "unresponsive");

    Await.until(
        READ_SIDE,
        () -> {
          JsonNode view = read("life-4");
          assertTrue(view.path("unreachable").asBoolean(), view::toString);
          assertTrue(view.path("error").asText().startsWith("TIMEOUT"), view::toString);
        });
    Await.until(
        READ_SIDE,
        () -> {
          HttpResponse<String> list = api.get("/api/v1/components?state=STOPPED&limit=1000");
          JsonNode item = null;
          for (JsonNode i : Api.json(list).path("items")) {
            if (i.path("id").asText().equals("life-4")) {
              item = i;
            }
          }
          assertTrue(item != null && item.path("unreachable").asBoolean(), list::body);
        });

    simulate("life-4", "none");

    Await.until(
        READ_SIDE,
        () -> {
          JsonNode view = read("life-4");
          assertFalse(view.path("unreachable").asBoolean(), view::toString);
          assertEquals("CLOSED", view.path("breaker").asText(), view::toString);
        });
    assertEquals(1, gw.eventRows("life-4", "Unreachable"));
    assertEquals(1, gw.eventRows("life-4", "Recovered"));
  }

  @Test
  void badLifecycleAndSimulateRequestsAre4xxAndStoreNothing() {
    gw.register(
        "life-http",
        "{\"driver\":\"http\",\"endpoint\":\"http://10.0.0.5:8001\",\"pollInterval\":\"1h\"}");
    gw.register("life-bad", "{\"driver\":\"simulated\",\"pollInterval\":\"1h\"}");
    // A simulated component announces its first state at once (its entity then journals the state
    // and the health): the count starts after them.
    Await.until(
        READ_SIDE,
        () -> {
          JsonNode view = read("life-bad");
          assertEquals("STOPPED", view.path("state").asText(), view::toString);
          assertTrue(view.path("health").isObject(), view::toString);
        });
    long httpRows = gw.journalRows("life-http");
    long simRows = gw.journalRows("life-bad");

    record Bad(String path, String body, int status, String slug, List<String> fragments) {}
    List<Bad> bad =
        List.of(
            new Bad(
                path("life-bad", "lifecycle"),
                "{\"command\":\"CMD_FLY\"}",
                400,
                "validation",
                List.of("'CMD_FLY'", "CMD_INITIALIZED", "CMD_RUN", "CMD_ACK")),
            new Bad(
                path("life-bad", "lifecycle"),
                "{}",
                400,
                "validation",
                List.of("command is required")),
            new Bad(
                path("life-bad", "lifecycle"),
                "{\"command\":5}",
                400,
                "malformed-json",
                List.of("command")),
            new Bad(
                path("life-bad", "lifecycle"),
                "{\"command\":\"CMD_RUN\",\"force\":true}",
                400,
                "malformed-json",
                List.of("unknown field 'force'")),
            new Bad(path("life-bad", "lifecycle"), "[1]", 400, "malformed-json", List.of()),
            new Bad(
                path("life-bad", "simulate"),
                "{\"fault\":\"explode\"}",
                400,
                "validation",
                List.of("'explode'", "none, unresponsive, fault, slow, flapping")),
            new Bad(
                path("life-bad", "simulate"),
                "{\"fault\":[\"slow\"]}",
                400,
                "malformed-json",
                List.of("fault")),
            new Bad(
                path("life-bad", "simulate"),
                "{\"fault\":\"slow\",\"x\":1}",
                400,
                "malformed-json",
                List.of("unknown field 'x'")),
            new Bad(
                path("life-http", "simulate"),
                "{\"fault\":\"slow\"}",
                400,
                "validation",
                List.of("http driver", "simulated")),
            new Bad(
                path("never-registered", "lifecycle"),
                "{\"command\":\"CMD_RUN\"}",
                404,
                "not-found",
                List.of("never-registered", "not registered")),
            new Bad(
                path("never-registered", "simulate"),
                "{\"fault\":\"none\"}",
                404,
                "not-found",
                List.of("not registered")),
            new Bad(
                path("bad$id", "lifecycle"),
                "{\"command\":\"CMD_RUN\"}",
                400,
                "validation",
                List.of("bad$id")));
    for (Bad b : bad) {
      long marker = gw.lastAuditId();
      JsonNode problem = assertProblem(api.post(b.path(), b.body()), b.status(), b.slug());
      assertDetail(problem, b.fragments().toArray(String[]::new));
      gw.assertAudited(marker, "POST", b.path(), ADMIN_ACTOR, "admin", b.status(), "rejected");
    }
    assertProblem(api.get(path("never-registered", "history")), 404, "not-found");
    // The UNKNOWN state of a component that never answered allows no command either.
    assertDetail(
        assertProblem(
            api.post(path("life-http", "lifecycle"), "{\"command\":\"CMD_RUN\"}"), 409, "conflict"),
        "UNKNOWN");

    assertEquals(httpRows, gw.journalRows("life-http"));
    assertEquals(simRows, gw.journalRows("life-bad"));
    assertEquals(0, gw.journalRows("never-registered"));
    assertEquals("none", read("life-bad").path("fault").asText());
  }
}
