package dev.orchestrator.scenario.action.cluster;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.orchestrator.lifecycle.ComponentTopology;
import dev.orchestrator.lifecycle.LifecycleRuns;
import dev.orchestrator.lifecycle.ShardedComponentPort;
import dev.orchestrator.scenario.action.ActionExecutor;
import dev.orchestrator.scenario.action.ActionSettings;
import java.util.Map;

/**
 * The actions that act inside the cluster: {@code send_command}, {@code wait_for_state}, {@code
 * enqueue_command} and {@code execute_scenario}, by type name.
 */
public final class ClusterActions {
  private ClusterActions() {}

  /**
   * The executors, reaching components, lifecycle runs, commands and scenarios of {@code system}
   * through sharding, and the registered components through {@code topology}.
   */
  public static Map<String, ActionExecutor> create(
      ActorSystem<?> system, ComponentTopology topology) {
    ActionSettings settings = ActionSettings.of(system);
    ClusterSharding sharding = ClusterSharding.get(system);
    Polling polling = new Polling(system, settings.pollInterval());
    return Map.of(
        "send_command",
        new SendCommandExecutor(
            new LifecycleRuns(sharding, topology, settings.askTimeout()), polling),
        "wait_for_state",
        new WaitForStateExecutor(topology, new ShardedComponentPort(system), polling),
        "enqueue_command",
        new EnqueueCommandExecutor(sharding, settings.askTimeout(), polling),
        "execute_scenario",
        new ExecuteScenarioExecutor(
            sharding, settings.maxNestingDepth(), settings.askTimeout(), polling));
  }
}
