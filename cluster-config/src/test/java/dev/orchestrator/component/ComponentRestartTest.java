package dev.orchestrator.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dev node restarted on the same data: each component's observed state, injected fault and
 * circuit breaker are as before, and registered components are polled again without anyone asking
 * for them (the component keeper starts them from the read side).
 */
class ComponentRestartTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String FAST = "{\"driver\":\"simulated\",\"pollInterval\":\"100ms\"}";

  @TempDir Path dataDir;

  private Node node;

  @AfterEach
  void stopNode() throws Exception {
    if (node != null) {
      TestNodes.stop(node);
      node = null;
    }
  }

  /**
   * Unresponsive calls fail after 10 s, so that "unreachable" comes after the restart (the node
   * stops sooner); one failure opens a breaker, which then stays open for a minute.
   */
  private Node start() throws Exception {
    Map<String, Object> settings = new HashMap<>(TestNodes.dev(dataDir));
    settings.put("orchestrator.components.simulated.timeout", "10s");
    settings.put("orchestrator.components.breaker.failures-to-open", 1);
    settings.put("orchestrator.components.breaker.initial-backoff", "1m");
    Node started = TestNodes.start("dev", settings);
    TestNodes.awaitReady(TestNodes.api(started));
    return started;
  }

  private static JsonNode read(Api api, String id) {
    HttpResponse<String> response = api.get("/api/v1/components/" + id);
    assertEquals(200, response.statusCode(), response::body);
    return Api.json(response);
  }

  private static void post(Api api, String path, String body, int status) {
    HttpResponse<String> response = api.post(path, body);
    assertEquals(status, response.statusCode(), response::body);
  }

  private static void awaitField(Api api, String id, String field, String value) {
    Await.until(WAIT, () -> assertEquals(value, read(api, id).path(field).asText(), id));
  }

  @Test
  void stateFaultAndBreakerSurviveARestartAndPollingResumes() throws Exception {
    node = start();
    Api api = TestNodes.api(node);

    // A component brought to INITIALIZED, then slowed down.
    assertEquals(200, api.put("/api/v1/components/keep-state", FAST).statusCode());
    awaitField(api, "keep-state", "state", "STOPPED");
    post(api, "/api/v1/components/keep-state/lifecycle", "{\"command\":\"CMD_INITIALIZED\"}", 202);
    awaitField(api, "keep-state", "state", "INITIALIZED");
    post(api, "/api/v1/components/keep-state/simulate", "{\"fault\":\"slow\"}", 200);

    // A component whose breaker opened (one failure opens it here).
    assertEquals(200, api.put("/api/v1/components/keep-breaker", FAST).statusCode());
    awaitField(api, "keep-breaker", "state", "STOPPED");
    post(api, "/api/v1/components/keep-breaker/simulate", "{\"fault\":\"flapping\"}", 200);
    awaitField(api, "keep-breaker", "breaker", "OPEN");

    // A component that just turned unresponsive: it is not unreachable yet when the node stops.
    assertEquals(200, api.put("/api/v1/components/wake-up", FAST).statusCode());
    awaitField(api, "wake-up", "state", "STOPPED");
    post(api, "/api/v1/components/wake-up/simulate", "{\"fault\":\"unresponsive\"}", 200);
    assertEquals("false", read(api, "wake-up").path("unreachable").asText());

    TestNodes.stop(node);
    node = null;
    Instant restartedAt = Instant.now();
    node = start();

    // Nobody asks for wake-up: its entity is started by the keeper and polls on its own, so the
    // read side sees it go unreachable after the restart.
    Await.until(
        WAIT,
        () -> {
          Instant changed = unreachableSince("wake-up");
          assertTrue(changed != null && changed.isAfter(restartedAt), "unreachable at " + changed);
        });

    Api again = TestNodes.api(node);
    JsonNode state = read(again, "keep-state");
    assertEquals("INITIALIZED", state.path("state").asText());
    assertEquals("INITIALIZED", state.path("desiredState").asText());
    assertEquals("slow", state.path("fault").asText());
    JsonNode breaker = read(again, "keep-breaker");
    assertEquals("OPEN", breaker.path("breaker").asText());
    assertEquals("flapping", breaker.path("fault").asText());
    HttpResponse<String> refused =
        again.post(
            "/api/v1/components/keep-breaker/lifecycle", "{\"command\":\"CMD_INITIALIZED\"}");
    assertEquals(409, refused.statusCode(), refused::body);
    assertTrue(refused.body().contains("circuit breaker is open"), refused::body);
    // The slowed-down component still answers: it is polled and stays INITIALIZED.
    post(again, "/api/v1/components/keep-state/lifecycle", "{\"command\":\"CMD_RUN\"}", 202);
    awaitField(again, "keep-state", "state", "RUN");
  }

  /** When the read side marked {@code id} unreachable, null while it is not. */
  private Instant unreachableSince(String id) throws Exception {
    try (Connection c = node.services().database().dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT unreachable, updated_at FROM components WHERE id = ?")) {
      s.setString(1, id);
      try (ResultSet r = s.executeQuery()) {
        if (!r.next() || !r.getBoolean(1)) {
          return null;
        }
        Timestamp at = r.getTimestamp(2);
        return at.toInstant();
      }
    }
  }
}
