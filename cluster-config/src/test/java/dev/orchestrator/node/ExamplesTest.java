package dev.orchestrator.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.protocol.scenario.ScenarioLoader;
import dev.orchestrator.scenario.ScenarioFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The files users start from: the built-in scenarios and the demo set of {@code examples/} all
 * validate, and the manifest lists exactly the example files there are.
 */
class ExamplesTest {

  @Test
  void builtinScenariosValidate() {
    List<String> names = ScenarioFiles.builtin().stream().map(Scenario::name).sorted().toList();
    assertEquals(List.of("fault_notification", "graceful_shutdown", "startup"), names);
  }

  @Test
  void everyExampleScenarioValidatesAndIsInTheManifest() throws Exception {
    ScenarioLoader.DirectoryResult result =
        ScenarioLoader.loadDirectory(Path.of("..", "examples", "scenarios"));
    assertTrue(result.rejected().isEmpty(), () -> result.rejected().toString());
    JsonNode manifest =
        new ObjectMapper().readTree(Path.of("..", "examples", "manifest.json").toFile());
    List<String> listed = new ArrayList<>();
    manifest.get("scenarios").forEach(n -> listed.add(n.asText()));
    List<String> files =
        result.loaded().stream()
            .map(l -> Path.of(l.file()).getFileName().toString())
            .sorted()
            .toList();
    assertEquals(listed.stream().sorted().toList(), files);
    assertEquals(5, manifest.get("components").size());
  }
}
