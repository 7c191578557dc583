package dev.orchestrator.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.TestJournal;
import dev.orchestrator.node.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lifecycle run interrupted by a node restart goes on where it stood: the component it had
 * already sent its command to is watched, not sent it again; the next step runs after the restart
 * without anyone asking (the keeper of unfinished runs starts it from the read side).
 */
class LifecycleRunRestartTest {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dataDir;

  private Node node;

  @AfterEach
  void stopNode() throws Exception {
    if (node != null) {
      TestNodes.stop(node);
      node = null;
    }
  }

  /** Every transition takes 3 s, so that the node can be stopped in the middle of one. */
  private Node start() throws Exception {
    Map<String, Object> settings = new HashMap<>(TestNodes.dev(dataDir));
    settings.put("orchestrator.components.simulated.transition-time", "3s");
    Node started = TestNodes.start("dev", settings);
    TestNodes.awaitReady(TestNodes.api(started));
    return started;
  }

  private static JsonNode read(Api api, String path) {
    HttpResponse<String> response = api.get(path);
    assertEquals(200, response.statusCode(), response::body);
    return Api.json(response);
  }

  @Test
  void aRunInterruptedByARestartFinishesWithoutRepeatingAStep() throws Exception {
    node = start();
    Api api = TestNodes.api(node);
    String fast = "\"driver\":\"simulated\",\"groups\":[\"resume\"],\"pollInterval\":\"100ms\"";
    assertEquals(200, api.put("/api/v1/components/r-db", "{" + fast + "}").statusCode());
    assertEquals(
        200,
        api.put("/api/v1/components/r-app", "{" + fast + ",\"dependsOn\":[\"r-db\"]}")
            .statusCode());
    for (String id : new String[] {"r-db", "r-app"}) {
      Await.until(
          WAIT,
          () ->
              assertEquals(
                  "STOPPED", read(api, "/api/v1/components/" + id).path("state").asText()));
    }
    Await.until(
        WAIT,
        () -> assertEquals(2, read(api, "/api/v1/components?group=resume").path("items").size()));

    HttpResponse<String> accepted =
        api.post(
            "/api/v1/lifecycle",
            "{\"target\":\"group:resume\",\"command\":\"CMD_INITIALIZED\","
                + "\"order\":\"dependencies\",\"stepTimeout\":\"1m\"}");
    assertEquals(202, accepted.statusCode(), accepted::body);
    String location = accepted.headers().firstValue("Location").orElseThrow();

    // r-db is on its way (INITIALIZING, 3 s): the node stops now, gracefully.
    Await.until(
        WAIT,
        () ->
            assertEquals(
                "INITIALIZING", read(api, "/api/v1/components/r-db").path("state").asText()));
    TestNodes.stop(node);
    node = null;
    Instant restartedAt = Instant.now();

    node = start();
    // Nobody asks for the run until it has finished: a GET would start its entity.
    String runPid = "LifecycleRun|" + location.substring(location.lastIndexOf('/') + 1);
    Await.until(
        WAIT,
        () -> {
          List<String> types = TestJournal.types(node.services().database().dataSource(), runPid);
          assertTrue(types.contains("Finished"), runPid + " has journaled " + types);
        });
    Api again = TestNodes.api(node);
    JsonNode[] report = new JsonNode[1];
    Await.until(
        WAIT,
        () -> {
          report[0] = read(again, location);
          assertEquals("SUCCEEDED", report[0].path("status").asText(), report[0].toString());
        });
    JsonNode db = report[0].path("steps").get(0).path("components").get(0);
    JsonNode app = report[0].path("steps").get(1).path("components").get(0);
    assertEquals("r-db", db.path("id").asText());
    assertTrue(
        Instant.parse(db.path("sentAt").asText()).isBefore(restartedAt),
        "r-db got its command before the restart: " + report[0]);
    assertTrue(
        Instant.parse(app.path("sentAt").asText()).isAfter(restartedAt),
        "r-app got its command after it: " + report[0]);
    assertEquals(1, lifecycleRequests("r-db"), "r-db was not sent the command twice");
    assertEquals(1, lifecycleRequests("r-app"));
  }

  /** LifecycleRequested events of component {@code id}: each command it was sent. */
  private long lifecycleRequests(String id) throws Exception {
    try (Connection c = node.services().database().dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM event_journal WHERE persistence_id = ?"
                    + " AND event_ser_manifest LIKE '%LifecycleRequested'")) {
      s.setString(1, "Component|" + id);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    }
  }
}
