package dev.orchestrator.node;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchestrator.component.ComponentEntity;
import dev.orchestrator.protocol.Durations;
import dev.orchestrator.protocol.component.ComponentCommand;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.scenario.ScenarioCommand;
import dev.orchestrator.protocol.scenario.ScenarioLoader;
import dev.orchestrator.protocol.scenario.ScenarioView;
import dev.orchestrator.scenario.ScenarioKeys;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo set of {@code examples/} (packed into the jar): simulated components and scenarios that
 * a dev node loads on the first start of its data directory, so that a new user sees runs happen.
 * Loaded once: a marker file in the data directory remembers it, and what the user changes or
 * deletes afterwards stays so. Example scenarios count as built-in: a file or a PUT replaces them.
 */
final class Examples {
  private static final Logger log = LoggerFactory.getLogger(Examples.class);
  static final String MARKER = ".examples-loaded";
  private static final Duration ASK = Duration.ofSeconds(15);

  private Examples() {}

  static CompletableFuture<Void> loadOnce(ActorSystem<?> system, Path dataDir) {
    Path marker = dataDir.resolve(MARKER);
    if (Files.exists(marker)) {
      return CompletableFuture.completedFuture(null);
    }
    List<CompletableFuture<?>> all = new ArrayList<>();
    ClusterSharding sharding = ClusterSharding.get(system);
    try {
      JsonNode manifest = new ObjectMapper().readTree(resource("examples/manifest.json"));
      Iterator<Map.Entry<String, JsonNode>> components = manifest.get("components").fields();
      while (components.hasNext()) {
        Map.Entry<String, JsonNode> c = components.next();
        ComponentSpec spec = spec(c.getValue());
        all.add(
            sharding
                .entityRefFor(ComponentEntity.ENTITY_TYPE_KEY, c.getKey())
                .<ComponentView>askWithStatus(r -> new ComponentCommand.Register(spec, r), ASK)
                .toCompletableFuture());
      }
      for (JsonNode file : manifest.get("scenarios")) {
        String name = "examples/scenarios/" + file.asText();
        ScenarioLoader.Result result = ScenarioLoader.load(name, resource(name));
        if (result instanceof ScenarioLoader.Loaded loaded) {
          all.add(
              sharding
                  .entityRefFor(ScenarioKeys.SCENARIO, loaded.scenario().name())
                  .<ScenarioView>askWithStatus(
                      r ->
                          new ScenarioCommand.Define(
                              loaded.scenario(), ScenarioCommand.Source.BUILTIN, r),
                      ASK)
                  .toCompletableFuture());
        } else {
          log.error("Example {} does not validate: {}", name, result);
        }
      }
    } catch (IOException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenRun(
            () -> {
              try {
                Files.writeString(marker, "examples loaded\n");
              } catch (IOException e) {
                log.warn("Cannot write {}: examples load again next start", marker);
              }
              log.info(
                  "Demo set loaded: 5 simulated components and the example scenarios"
                      + " (GET /api/v1/runs shows their runs; ORCH_EXAMPLES=off skips this)");
            });
  }

  private static ComponentSpec spec(JsonNode c) {
    List<String> groups = new ArrayList<>();
    c.path("groups").forEach(g -> groups.add(g.asText()));
    List<String> dependsOn = new ArrayList<>();
    c.path("dependsOn").forEach(d -> dependsOn.add(d.asText()));
    Duration poll = c.has("pollInterval") ? Durations.parse(c.get("pollInterval").asText()) : null;
    return new ComponentSpec(c.get("driver").asText(), null, groups, dependsOn, poll);
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = Examples.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException(name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
