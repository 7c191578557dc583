package dev.orchestrator.scenario;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.protocol.scenario.ScenarioCommand;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Source;
import dev.orchestrator.protocol.scenario.ScenarioLoader;
import dev.orchestrator.protocol.scenario.ScenarioView;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads scenario files and defines them: the built-in ones shipped in this jar, then those in the
 * user directory ({@code ORCH_SCENARIOS_DIR}), which replace a built-in of the same name. A file
 * that does not validate is logged with file, line, column and path, and the others still load.
 */
public final class ScenarioFiles {
  private static final Logger log = LoggerFactory.getLogger(ScenarioFiles.class);

  /** The built-in scenarios, as resources under {@code scenarios/builtin/}. */
  public static final List<String> BUILTIN =
      List.of("startup.yaml", "graceful_shutdown.yaml", "fault_notification.yaml");

  private ScenarioFiles() {}

  /** The built-in scenarios; a broken one is a bug in this jar and stops the start. */
  public static List<Scenario> builtin() {
    List<Scenario> out = new ArrayList<>();
    for (String file : BUILTIN) {
      String resource = "scenarios/builtin/" + file;
      try (InputStream in = ScenarioFiles.class.getClassLoader().getResourceAsStream(resource)) {
        if (in == null) {
          throw new IllegalStateException("built-in scenario " + resource + " is missing");
        }
        String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        ScenarioLoader.Result result = ScenarioLoader.load(resource, text);
        if (result instanceof ScenarioLoader.Loaded loaded) {
          out.add(loaded.scenario());
        } else {
          throw new IllegalStateException("built-in scenario does not validate: " + result);
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + resource, e);
      }
    }
    return out;
  }

  /** The valid scenarios of {@code dir}; the others are logged. */
  public static List<Scenario> directory(Path dir) {
    if (!Files.isDirectory(dir)) {
      log.warn(
          "Scenario directory {} does not exist or is not a directory; no scenarios from it", dir);
      return List.of();
    }
    try {
      ScenarioLoader.DirectoryResult result = ScenarioLoader.loadDirectory(dir);
      result
          .rejected()
          .forEach(r -> r.problems().forEach(p -> log.error("Scenario file rejected: {}", p)));
      log.info(
          "Scenario directory {}: {} loaded, {} rejected",
          dir,
          result.loaded().size(),
          result.rejected().size());
      return result.loaded().stream().map(ScenarioLoader.Loaded::scenario).toList();
    } catch (IOException e) {
      log.error("Cannot read scenario directory {}: {}", dir, e.getMessage());
      return List.of();
    }
  }

  /**
   * Defines the built-in scenarios (if on) and those of the user directory (if set). The files are
   * read and parsed on {@code parsing} (the singleton calls this as it starts: parsing on its own
   * thread would keep it from answering for that long).
   */
  public static CompletionStage<Void> publish(
      ActorSystem<?> system, ScenarioSettings settings, Executor parsing) {
    return CompletableFuture.supplyAsync(() -> load(settings), parsing)
        .thenCompose(
            files ->
                CompletableFuture.allOf(
                    files.stream()
                        .map(f -> define(system, settings, f.scenario(), f.source()))
                        .toArray(CompletableFuture[]::new)));
  }

  private record Found(Scenario scenario, Source source) {}

  private static List<Found> load(ScenarioSettings settings) {
    List<Found> all = new ArrayList<>();
    if (settings.builtin()) {
      builtin().forEach(s -> all.add(new Found(s, Source.BUILTIN)));
    }
    if (!settings.directory().isBlank()) {
      directory(Path.of(settings.directory())).forEach(s -> all.add(new Found(s, Source.FILE)));
    }
    return all;
  }

  private static CompletableFuture<ScenarioView> define(
      ActorSystem<?> system, ScenarioSettings settings, Scenario scenario, Source source) {
    return ClusterSharding.get(system)
        .entityRefFor(ScenarioKeys.SCENARIO, scenario.name())
        .<ScenarioView>askWithStatus(
            replyTo -> new ScenarioCommand.Define(scenario, source, replyTo), settings.askTimeout())
        .toCompletableFuture();
  }
}
