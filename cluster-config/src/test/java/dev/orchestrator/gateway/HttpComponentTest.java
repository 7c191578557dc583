package dev.orchestrator.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.FakeAvenaComponent;
import dev.orchestrator.node.testkit.FakeAvenaComponent.Replies;
import dev.orchestrator.protocol.component.FsmState;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A component on the {@code http} driver, end to end: an avena-like component on a real socket,
 * registered over the API, polled by its entity through {@code POST /event} replies, driven with a
 * lifecycle command it never answers, marked unreachable when it goes silent and back when it
 * answers again, FAULT when it reports an error.
 */
class HttpComponentTest {
  private static final Duration WITHIN = Duration.ofSeconds(60);

  private static GatewayFixture gw;
  private static Api api;

  @BeforeAll
  static void startNode() throws Exception {
    gw = GatewayFixture.start("http-component");
    api = gw.admin;
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (gw != null) {
      gw.stop();
    }
  }

  private static JsonNode view(String id) {
    HttpResponse<String> r = api.get("/api/v1/components/" + id);
    assertEquals(200, r.statusCode(), r::body);
    return Api.json(r);
  }

  private static void awaitView(String id, String field, String value) {
    Await.until(
        WITHIN, () -> assertEquals(value, view(id).path(field).asText(), view(id)::toString));
  }

  @Test
  void anAvenaComponentIsPolledDrivenAndWatched() throws Exception {
    try (FakeAvenaComponent component = FakeAvenaComponent.start("pump")) {
      gw.register(
          "pump",
          "{\"driver\":\"http\",\"endpoint\":\""
              + component.endpoint()
              + "\",\"pollInterval\":\"200ms\"}");

      // Polled: the state it reports through POST /event replies becomes the observed state.
      awaitView("pump", "state", "STOPPED");
      assertFalse(view("pump").path("unreachable").asBoolean());
      assertFalse(view("pump").path("lastSeen").isNull(), view("pump")::toString);

      // A lifecycle command that gets no reply: the outcome is learned by polling.
      HttpResponse<String> sent =
          api.post("/api/v1/components/pump/lifecycle", "{\"command\":\"CMD_INITIALIZED\"}");
      assertEquals(202, sent.statusCode(), sent::body);
      awaitView("pump", "state", "INITIALIZED");
      JsonNode command = component.last("CMD_INITIALIZED");
      assertTrue(command.path("data").has("epoch"), command.toString());
      assertEquals("pump", command.path("destination").asText(), command.toString());
      assertEquals(FsmState.INITIALIZED, component.state());

      // Silent: unreachable after the configured missed polls; back when it answers again.
      component.replies(Replies.SILENT);
      awaitView("pump", "unreachable", "true");
      component.replies(Replies.NORMAL);
      awaitView("pump", "unreachable", "false");

      // It reports an error: FAULT, with its message.
      component.state(FsmState.FAULT);
      awaitView("pump", "state", "FAULT");

      // Gone (connection refused): unreachable again.
      component.stop();
      awaitView("pump", "unreachable", "true");
    }
  }
}
