package dev.orchestrator.scenario;

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
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cron schedule across a restart of the node: it keeps firing afterwards, never fires the same
 * time twice, and of the fires missed while the node was down runs only the latest (the default
 * catch-up policy).
 */
class ScheduleRestartTest {
  private static final Duration WITHIN = Duration.ofSeconds(90);

  @TempDir Path dataDir;
  private Node node;

  @AfterEach
  void stopNode() throws Exception {
    if (node != null) {
      TestNodes.stop(node);
    }
  }

  private Api start() throws Exception {
    Map<String, Object> settings = new HashMap<>(TestNodes.dev(dataDir));
    settings.put("orchestrator.scenarios.tick", "200ms");
    // Snapshots often, so that the restart recovers the scenario and the orchestrator from them.
    settings.put("orchestrator.scenarios.snapshot-every", 3);
    node = TestNodes.start("dev", settings);
    Api api = TestNodes.api(node);
    TestNodes.awaitReady(api);
    return api;
  }

  private static List<Instant> fires(Api api) {
    List<Instant> fires = new ArrayList<>();
    for (JsonNode item :
        Api.json(api.get("/api/v1/runs?scenario=ticker&limit=500")).path("items")) {
      JsonNode run = Api.json(api.get("/api/v1/runs/" + item.path("id").asText()));
      assertEquals("schedule", run.path("trigger").path("type").asText(), run::toString);
      fires.add(Instant.parse(run.path("trigger").path("event").asText()));
    }
    return fires;
  }

  @Test
  void aScheduleFiresOnceForEachTimeAcrossARestart() throws Exception {
    Api api = start();
    HttpResponse<String> put =
        api.send(
            "PUT",
            "/api/v1/scenarios/ticker",
            "name: ticker\ntrigger: { type: schedule, cron: \"*/2 * * * * *\" }\n"
                + "max_concurrent_executions: 5\n"
                + "actions:\n  - { type: log_event, message: tick }\n",
            "application/yaml");
    assertEquals(201, put.statusCode(), put::body);
    Await.until(WITHIN, () -> assertTrue(fires(api).size() >= 2));

    TestNodes.stop(node);
    node = null;
    Instant down = Instant.now();
    Api again = start();
    Instant up = Instant.now();
    int before = fires(again).size();
    Await.until(WITHIN, () -> assertTrue(fires(again).size() >= before + 2));

    List<Instant> all = fires(again);
    JsonNode ticker = Api.json(again.get("/api/v1/scenarios/ticker"));
    assertTrue(ticker.path("runs").asInt() >= all.size(), ticker::toString);
    try (Connection c = node.services().database().dataSource().getConnection();
        ResultSet rs =
            c.createStatement()
                .executeQuery(
                    "SELECT count(DISTINCT persistence_id) FROM snapshot"
                        + " WHERE persistence_id IN ('Scenario|ticker', 'orchestrator')")) {
      rs.next();
      assertEquals(2, rs.getInt(1), "both the scenario and the orchestrator took snapshots");
    }
    Set<Instant> distinct = new HashSet<>(all);
    assertEquals(all.size(), distinct.size(), () -> "a fire time ran twice: " + all);
    long missedAndRun =
        all.stream()
            .filter(f -> f.isAfter(down.plusSeconds(1)) && f.isBefore(up.minusSeconds(1)))
            .count();
    assertTrue(
        missedAndRun <= 1,
        () -> "more than the latest missed fire ran: " + all + " down " + down + " up " + up);
  }
}
