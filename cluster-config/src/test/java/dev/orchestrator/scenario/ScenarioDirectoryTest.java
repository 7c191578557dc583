package dev.orchestrator.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ORCH_SCENARIOS_DIR}: its valid files are defined when the orchestrator starts, a file of a
 * built-in's name replaces the built-in, and a file that does not validate is left out while the
 * others load.
 */
class ScenarioDirectoryTest {
  private static final Duration WITHIN = Duration.ofSeconds(60);

  @TempDir Path dataDir;
  @TempDir Path scenarios;
  private Node node;

  @AfterEach
  void stopNode() throws Exception {
    if (node != null) {
      TestNodes.stop(node);
    }
  }

  @Test
  void validFilesLoadAndReplaceBuiltinsAndBrokenOnesAreLeftOut() throws Exception {
    Files.writeString(
        scenarios.resolve("mine.yaml"),
        "name: mine\ntrigger: { type: manual }\nactions:\n  - { type: log_event, message: mine }\n");
    Files.writeString(
        scenarios.resolve("startup.yaml"),
        "name: startup\ndescription: our own start-up\ntrigger: { type: manual }\n"
            + "actions:\n  - { type: log_event, message: \"ours\" }\n");
    Files.writeString(
        scenarios.resolve("broken.yaml"),
        "name: broken\ntrigger: { type: sometimes }\nactions: []\n");
    Map<String, Object> settings = new HashMap<>(TestNodes.dev(dataDir));
    settings.put("orchestrator.scenarios-dir", scenarios.toString());
    node = TestNodes.start("dev", settings);
    Api api = TestNodes.api(node);
    TestNodes.awaitReady(api);

    Map<String, String> sources = new TreeMap<>();
    Await.until(
        WITHIN,
        () -> {
          sources.clear();
          for (JsonNode s : Api.json(api.get("/api/v1/scenarios")).path("items")) {
            sources.put(s.path("name").asText(), s.path("source").asText());
          }
          assertEquals(
              Map.of(
                  "fault_notification", "BUILTIN",
                  "graceful_shutdown", "BUILTIN",
                  "mine", "FILE",
                  "startup", "FILE"),
              sources);
        });
    JsonNode startup = Api.json(api.get("/api/v1/scenarios/startup"));
    assertEquals("our own start-up", startup.path("definition").path("description").asText());
    assertEquals(404, api.get("/api/v1/scenarios/broken").statusCode());
    assertFalse(sources.containsKey("broken"));
  }
}
