package dev.orchestrator.scenario;

import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import dev.orchestrator.protocol.scenario.ScenarioCommand;
import dev.orchestrator.protocol.scenario.ScenarioRunCommand;
import java.util.List;
import java.util.stream.IntStream;

/** The sharding keys and journal tags of the scenario engine's entities. */
public final class ScenarioKeys {
  /** Scenario entities, keyed by scenario name. */
  public static final EntityTypeKey<ScenarioCommand> SCENARIO =
      EntityTypeKey.create(ScenarioCommand.class, "Scenario");

  /** Scenario run entities, keyed by run id (a UUID). */
  public static final EntityTypeKey<ScenarioRunCommand> RUN =
      EntityTypeKey.create(ScenarioRunCommand.class, "ScenarioRun");

  /** Tags of scenario events, for the {@code scenarios} read side. */
  public static final List<String> SCENARIO_TAGS = tags("scenario", 2);

  /** Tags of run events, for the {@code scenario_runs} read side and the event stream. */
  public static final List<String> RUN_TAGS = tags("scenario-run", 4);

  private ScenarioKeys() {}

  /** The tag of an entity id among {@code tags}. */
  public static String tagFor(String id, List<String> tags) {
    return tags.get(Math.floorMod(id.hashCode(), tags.size()));
  }

  private static List<String> tags(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> prefix + "-" + i).toList();
  }
}
