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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The global {@code max_concurrent_scenarios}: with two runs under way a third is refused, saying
 * why; once one ends, runs start again.
 */
class GlobalLimitTest {
  private static final Duration WITHIN = Duration.ofSeconds(60);

  @TempDir Path dataDir;
  private Node node;

  @AfterEach
  void stopNode() throws Exception {
    if (node != null) {
      TestNodes.stop(node);
    }
  }

  @Test
  void aThirdRunWaitsForOneOfTwo() throws Exception {
    Map<String, Object> settings = new HashMap<>(TestNodes.dev(dataDir));
    settings.put("orchestrator.scenarios.max-concurrent", 2);
    node = TestNodes.start("dev", settings);
    Api api = TestNodes.api(node);
    TestNodes.awaitReady(api);
    assertEquals(
        200, api.put("/api/v1/components/held", "{\"driver\":\"simulated\"}").statusCode());
    HttpResponse<String> put =
        api.send(
            "PUT",
            "/api/v1/scenarios/hold",
            "name: hold\ntrigger: { type: manual }\nmax_concurrent_executions: 10\nactions:\n"
                + "  - { type: wait_for_state, target: held, state: RUN, timeout: 10m }\n",
            "application/yaml");
    assertEquals(201, put.statusCode(), put::body);

    List<String> started = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> run = api.post("/api/v1/scenarios/hold/run", "{}");
      assertEquals(202, run.statusCode(), run::body);
      started.add(Api.json(run).path("runId").asText());
    }
    HttpResponse<String> third = api.post("/api/v1/scenarios/hold/run", "{}");
    assertEquals(409, third.statusCode(), third::body);
    JsonNode problem = Api.json(third);
    assertEquals("global", problem.path("code").asText(), third::body);
    assertTrue(problem.path("detail").asText().contains("max_concurrent_scenarios 2"), third::body);

    HttpResponse<String> cancel = api.post("/api/v1/runs/" + started.get(0) + "/cancel", "{}");
    assertEquals(200, cancel.statusCode(), cancel::body);
    Await.until(
        WITHIN,
        () -> {
          HttpResponse<String> again = api.post("/api/v1/scenarios/hold/run", "{}");
          assertEquals(202, again.statusCode(), again::body);
        });
  }
}
