package dev.orchestrator.scenario;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import java.time.Duration;
import java.util.List;

/**
 * The {@code orchestrator.scenarios} settings the engine itself reads.
 *
 * @param tick how often the orchestrator evaluates automatic scenarios and schedules
 * @param maxConcurrent runs under way at once, over all scenarios ({@code
 *     max_concurrent_scenarios}); nested runs are not held back by it
 * @param actionTimeout how long an action may take when it does not say
 * @param askTimeout how long one entity may take to answer another
 * @param catchUp what a schedule does about fires missed while no orchestrator ran: {@code latest}
 *     (one run for the latest missed fire), {@code none} or {@code all} (every one, at most {@link
 *     #MAX_CATCH_UP})
 * @param builtin whether the built-in scenarios are loaded
 * @param directory user scenario files ({@code ORCH_SCENARIOS_DIR}); empty when none
 * @param snapshotEvery a scenario entity and the orchestrator snapshot their state after this many
 *     events (they live long: each run adds two events to its scenario)
 * @param runWatchInterval how often a scenario entity sends its runs under way their Start again,
 *     which brings back a run whose node died
 * @param componentEventMaxAge component events older than this are not handed to scenarios (a first
 *     start or a long outage does not replay old history as news)
 */
public record ScenarioSettings(
    Duration tick,
    int maxConcurrent,
    Duration actionTimeout,
    Duration askTimeout,
    String catchUp,
    boolean builtin,
    String directory,
    int snapshotEvery,
    Duration runWatchInterval,
    Duration componentEventMaxAge) {

  public static final List<String> CATCH_UP = List.of("latest", "none", "all");
  public static final int MAX_CATCH_UP = 100;

  public ScenarioSettings {
    if (tick.compareTo(Duration.ofMillis(10)) < 0) {
      throw new IllegalArgumentException("orchestrator.scenarios.tick must be at least 10ms");
    }
    if (maxConcurrent < 1) {
      throw new IllegalArgumentException("orchestrator.scenarios.max-concurrent must be >= 1");
    }
    if (snapshotEvery < 1) {
      throw new IllegalArgumentException("orchestrator.scenarios.snapshot-every must be >= 1");
    }
    if (!CATCH_UP.contains(catchUp)) {
      throw new IllegalArgumentException(
          "orchestrator.scenarios.schedule-catch-up is '"
              + catchUp
              + "'; use one of "
              + String.join(", ", CATCH_UP));
    }
  }

  public static ScenarioSettings of(ActorSystem<?> system) {
    return of(system.settings().config());
  }

  public static ScenarioSettings of(Config root) {
    Config c = root.getConfig("orchestrator.scenarios");
    String dir =
        root.hasPath("orchestrator.scenarios-dir")
            ? root.getString("orchestrator.scenarios-dir")
            : "";
    return new ScenarioSettings(
        c.getDuration("tick"),
        c.getInt("max-concurrent"),
        c.getDuration("action-timeout"),
        c.getDuration("ask-timeout"),
        c.getString("schedule-catch-up"),
        c.getBoolean("builtin"),
        dir,
        c.getInt("snapshot-every"),
        c.getDuration("run-watch-interval"),
        c.getDuration("component-event-max-age"));
  }
}
