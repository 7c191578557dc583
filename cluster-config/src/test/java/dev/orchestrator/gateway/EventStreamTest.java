package dev.orchestrator.gateway;

import static dev.orchestrator.gateway.GatewayFixture.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code GET /api/v1/events/stream}: live events from the journal, resumable, filtered. */
class EventStreamTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static final String SIMULATED = "{\"driver\":\"simulated\"}";

  private static final String ADMIN = "Bearer " + TestNodes.ADMIN_TOKEN;

  private static GatewayFixture gw;

  @BeforeAll
  static void startNode() throws Exception {
    gw = GatewayFixture.start("events");
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (gw != null) {
      gw.stop();
    }
  }

  private static SseClient open(String query, String lastEventId) throws Exception {
    return SseClient.open(gw.base, TestNodes.ADMIN_TOKEN, query, lastEventId);
  }

  private static String submitNoop() {
    HttpResponse<String> r = gw.admin.post("/api/v1/commands", "{\"name\":\"noop\"}");
    assertEquals(202, r.statusCode(), r::body);
    return Api.json(r).path("id").asText();
  }

  @Test
  void componentAndCommandEventsArriveLive() throws Exception {
    try (SseClient stream = open("", null)) {
      assertTrue(stream.contentType().startsWith("text/event-stream"), stream.contentType());
      gw.register("sse-live", SIMULATED);
      SseClient.Event registered =
          stream.next(e -> "sse-live".equals(e.data().path("entityId").asText()), WITHIN);
      assertEquals("component.Registered", registered.type());
      assertEquals("component.Registered", registered.data().path("type").asText());
      assertEquals(
          "simulated", registered.data().path("event").path("spec").path("driver").asText());
      assertTrue(registered.id().contains("component-"), registered.id());

      String id = submitNoop();
      List<String> types =
          List.of(
              stream.next(e -> id.equals(e.data().path("entityId").asText()), WITHIN).type(),
              stream.next(e -> id.equals(e.data().path("entityId").asText()), WITHIN).type(),
              stream.next(e -> id.equals(e.data().path("entityId").asText()), WITHIN).type());
      assertEquals(
          List.of("command.Submitted", "command.AttemptStarted", "command.Succeeded"), types);
    }
  }

  @Test
  void aReconnectWithLastEventIdResumesAfterItNothingTwice() throws Exception {
    String lastId;
    try (SseClient stream = open("?types=component", null)) {
      gw.register("sse-resume", SIMULATED);
      lastId =
          stream.next(e -> "sse-resume".equals(e.data().path("entityId").asText()), WITHIN).id();
    }
    // While no one listens: a spec change and a deregistration.
    gw.register("sse-resume", "{\"driver\":\"simulated\",\"groups\":[\"g\"]}");
    assertEquals(204, gw.admin.delete("/api/v1/components/sse-resume").statusCode());

    try (SseClient resumed = open("?types=component", lastId)) {
      // Polling adds events of its own (StateChanged): follow sse-resume until it is gone.
      List<String> types = new ArrayList<>();
      SseClient.Event event;
      do {
        event = resumed.next(e -> "sse-resume".equals(e.data().path("entityId").asText()), WITHIN);
        assertNotEquals(lastId, event.id());
        types.add(event.type());
      } while (!event.type().equals("component.Deregistered"));
      assertFalse(types.contains("component.Registered"), "not sent again: " + types);
      assertTrue(types.contains("component.SpecChanged"), types.toString());
      assertTrue(
          types.indexOf("component.SpecChanged") < types.indexOf("component.Deregistered"),
          types.toString());
    }
  }

  @Test
  void aTypeFilterLeavesOtherFamiliesOut() throws Exception {
    try (SseClient stream = open("?types=command", null)) {
      gw.register("sse-filtered", SIMULATED);
      String id = submitNoop();
      SseClient.Event first = stream.next(WITHIN);
      assertEquals("command.Submitted", first.type(), "no component event comes first");
      assertEquals(id, first.data().path("entityId").asText());
      assertTrue(first.id().startsWith("command-"), first.id());
    }
  }

  @Test
  void lifecycleRunsAreStreamedToo() throws Exception {
    gw.register("sse-run", "{\"driver\":\"simulated\",\"groups\":[\"sse\"]}");
    Await.until(
        WITHIN,
        () ->
            assertEquals(
                "STOPPED",
                Api.json(gw.admin.get("/api/v1/components/sse-run")).path("state").asText()));
    Await.until(
        WITHIN,
        () ->
            assertEquals(
                1, Api.json(gw.admin.get("/api/v1/components?group=sse")).path("items").size()));
    try (SseClient stream = open("?types=lifecycle", null)) {
      HttpResponse<String> r =
          gw.admin.post(
              "/api/v1/lifecycle", "{\"target\":\"group:sse\",\"command\":\"CMD_INITIALIZED\"}");
      assertEquals(202, r.statusCode(), r::body);
      String runId = Api.json(r).path("id").asText();
      assertEquals("lifecycle.Started", stream.next(WITHIN).type());
      SseClient.Event finished = stream.next(e -> e.type().equals("lifecycle.Finished"), WITHIN);
      assertEquals(runId, finished.data().path("entityId").asText());
      assertEquals("SUCCEEDED", finished.data().path("event").path("status").asText());
    }
  }

  @Test
  void badInputIsRefusedWithAReason() {
    assertProblem(
        gw.raw("GET", "/api/v1/events/stream?types=bogus", null, ADMIN), 400, "validation");
    assertProblem(gw.raw("GET", "/api/v1/events/stream?types=", null, ADMIN), 400, "validation");
    for (String last :
        List.of(
            "garbage",
            "component-0:-1",
            "component-0:x",
            "unknown-tag:5",
            ":5",
            "a".repeat(3000))) {
      HttpResponse<String> r = gw.adminGet("/api/v1/events/stream", "Last-Event-ID", last);
      assertProblem(r, 400, "validation");
    }
    assertProblem(gw.raw("GET", "/api/v1/events/stream", null, null), 401, "unauthorized");
    assertProblem(gw.raw("POST", "/api/v1/events/stream", "{}", ADMIN), 405, "method-not-allowed");
  }
}
