package dev.orchestrator.scenario.readside;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.ShardedDaemonProcessSettings;
import akka.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import akka.projection.ProjectionBehavior;
import dev.orchestrator.scenario.ScenarioKeys;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Starts the scenario engine's read side: {@link ScenarioProjection} and {@link
 * ScenarioRunProjection}, each one instance per tag spread over the cluster by a sharded daemon
 * process (each tag is folded on exactly one node).
 *
 * <p>Both are grouped: events are folded in groups of up to {@link #GROUP_AFTER_ENVELOPES}, or
 * whatever arrived within {@link #GROUP_AFTER_DURATION}, one commit per group instead of one per
 * event (a five-step run journals a dozen events).
 */
public final class ScenarioReadSide {
  public static final int GROUP_AFTER_ENVELOPES = 500;
  public static final Duration GROUP_AFTER_DURATION = Duration.ofMillis(20);

  private ScenarioReadSide() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "scenarios-projection",
            ScenarioKeys.SCENARIO_TAGS.size(),
            index ->
                ProjectionBehavior.create(
                    ScenarioProjection.projection(
                        system, dataSource, ScenarioKeys.SCENARIO_TAGS.get(index))),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "scenario-runs-projection",
            ScenarioKeys.RUN_TAGS.size(),
            index ->
                ProjectionBehavior.create(
                    ScenarioRunProjection.projection(
                        system, dataSource, ScenarioKeys.RUN_TAGS.get(index))),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }
}
