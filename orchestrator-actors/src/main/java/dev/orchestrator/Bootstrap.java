package dev.orchestrator;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.Props;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.orchestrator.command.CommandEntity;
import dev.orchestrator.command.CommandExecutor;
import dev.orchestrator.command.CommandKeeper;
import dev.orchestrator.command.ExecutorDirectory;
import dev.orchestrator.command.handler.HandlerRegistry;
import dev.orchestrator.command.readside.CommandProjection;
import dev.orchestrator.command.readside.CommandRepository;
import dev.orchestrator.command.readside.OpenCommands;
import dev.orchestrator.component.ComponentEntity;
import dev.orchestrator.component.ComponentKeeper;
import dev.orchestrator.component.ComponentProjection;
import dev.orchestrator.component.ComponentRepository;
import dev.orchestrator.component.ComponentSettings;
import dev.orchestrator.component.driver.http.ReplyRouter;
import dev.orchestrator.db.Database;
import dev.orchestrator.db.TableStatistics;
import dev.orchestrator.drill.Drills;
import dev.orchestrator.lease.FencingEpoch;
import dev.orchestrator.lease.LeaseDatabase;
import dev.orchestrator.lifecycle.ComponentTopology;
import dev.orchestrator.lifecycle.LifecycleRunEntity;
import dev.orchestrator.lifecycle.LifecycleRunReadSide;
import dev.orchestrator.lifecycle.ShardedComponentPort;
import dev.orchestrator.scenario.ScenarioEntity;
import dev.orchestrator.scenario.ScenarioRunEntity;
import dev.orchestrator.scenario.ScenarioSettings;
import dev.orchestrator.scenario.action.ActionExecutor;
import dev.orchestrator.scenario.action.ActionRegistry;
import dev.orchestrator.scenario.action.cluster.ClusterActions;
import dev.orchestrator.scenario.action.errors.ActionErrors;
import dev.orchestrator.scenario.action.notify.NotifyActions;
import dev.orchestrator.scenario.condition.ConditionEvaluator;
import dev.orchestrator.scenario.condition.DatasourceSettings;
import dev.orchestrator.scenario.condition.JdbcConditionEvaluator;
import dev.orchestrator.scenario.feed.ComponentEventFeed;
import dev.orchestrator.scenario.feed.SpontaneousEvents;
import dev.orchestrator.scenario.readside.ScenarioReadSide;
import dev.orchestrator.scenario.readside.ScenarioRepository;
import dev.orchestrator.scenario.readside.ScenarioRunRepository;
import dev.orchestrator.singleton.Orchestrator;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The one place where every entity, projection and singleton is started. The launcher calls it, and
 * so do the integration tests, on each of their nodes.
 */
public final class Bootstrap {
  /** Dispatcher for blocking JDBC calls made outside projections. */
  public static final String BLOCKING_DISPATCHER = "orchestrator.blocking-io-dispatcher";

  private Bootstrap() {}

  /** What the edge (HTTP gateway) needs to reach the actors and the read side. */
  public record Services(
      ActorSystem<?> system,
      Database database,
      ClusterSharding sharding,
      ActorRef<Orchestrator.Command> orchestrator,
      ComponentRepository components,
      CommandRepository commands,
      ScenarioRepository scenarios,
      ScenarioRunRepository scenarioRuns,
      Drills drills,
      Executor blockingExecutor) {}

  /** Starts everything with the command handlers found through ServiceLoader. */
  public static Services init(ActorSystem<?> system, Database database) {
    return init(system, database, HandlerRegistry.load(Bootstrap.class.getClassLoader()));
  }

  /** Starts everything; {@code handlers} are the command handlers this node runs. */
  public static Services init(ActorSystem<?> system, Database database, HandlerRegistry handlers) {
    Executor blocking =
        system.dispatchers().lookup(DispatcherSelector.fromConfig(BLOCKING_DISPATCHER));
    startEpochRefresh(system, database, blocking);
    system.systemActorOf(
        TableStatistics.create(
            TableStatistics.Settings.of(system.settings().config()),
            database.dataSource(),
            blocking),
        "table-statistics",
        Props.empty());
    // Read once here so that a component setting that cannot work stops the start, not an entity.
    ComponentSettings.of(system);
    ComponentEntity.init(system);
    ComponentProjection.init(system, database.dataSource());
    system.systemActorOf(
        ComponentKeeper.create(ComponentKeeper.settings(system), database.dataSource(), blocking),
        "component-keeper",
        Props.empty());
    ExecutorDirectory.get(system)
        .start(
            system.systemActorOf(
                CommandExecutor.create(handlers), "command-executor", Props.empty()));
    CommandEntity.init(system);
    CommandProjection.init(system, database.dataSource());
    system.systemActorOf(
        CommandKeeper.create(
            CommandKeeper.settings(system), new OpenCommands(database.dataSource(), blocking)),
        "command-keeper",
        Props.empty());
    LifecycleRunEntity.init(system, new ShardedComponentPort(system));
    LifecycleRunReadSide.init(system, database.dataSource());
    system.systemActorOf(
        LifecycleRunReadSide.keeper(system, database.dataSource(), blocking),
        "lifecycle-run-keeper",
        Props.empty());
    ScenarioSettings scenarios = ScenarioSettings.of(system);
    ActorRef<Orchestrator.Command> orchestrator =
        Orchestrator.init(
            system,
            scenarios,
            conditions(system, database, blocking),
            database.dataSource(),
            blocking);
    ScenarioEntity.init(system, scenarios, orchestrator);
    ScenarioRunEntity.init(system, actions(system, database, blocking), scenarios);
    ScenarioReadSide.init(system, database.dataSource());
    ComponentEventFeed.init(
        system,
        database.dataSource(),
        orchestrator,
        scenarios.askTimeout(),
        scenarios.componentEventMaxAge());
    ReplyRouter.get(system)
        .useSink(
            new SpontaneousEvents(
                system,
                orchestrator,
                scenarios.askTimeout(),
                SpontaneousEvents.Settings.of(system.settings().config())));
    return new Services(
        system,
        database,
        ClusterSharding.get(system),
        orchestrator,
        new ComponentRepository(database.dataSource(), blocking),
        new CommandRepository(database.dataSource(), blocking),
        new ScenarioRepository(database.dataSource(), blocking),
        new ScenarioRunRepository(database.dataSource(), blocking),
        Drills.init(system, database.dataSource(), blocking, orchestrator),
        blocking);
  }

  /**
   * Every node reads the singleton lease's epoch, when the singleton uses a lease, and opens the
   * leases' pool now: Akka's singleton manager asks for the lease only when this node becomes the
   * oldest, and a pool first opened then made every handover wait for its first connection.
   */
  private static void startEpochRefresh(
      ActorSystem<?> system, Database database, Executor blocking) {
    var config = system.settings().config();
    if (!config.getString("orchestrator.singleton.use-lease").isEmpty()) {
      LeaseDatabase.get(system.classicSystem()).dataSource();
      FencingEpoch.get(system.classicSystem())
          .startRefresh(
              database.dataSource(),
              blocking,
              config.getDuration("orchestrator.lease.epoch-refresh-interval"),
              Orchestrator.leaseName(system),
              config.getDuration("orchestrator.lease.pause-threshold"),
              config.getDuration("orchestrator.lease.pause-confirm-after"));
    }
  }

  /** The scenario action executors this node runs. */
  private static ActionRegistry actions(
      ActorSystem<?> system, Database database, Executor blocking) {
    Map<String, ActionExecutor> executors = new HashMap<>(NotifyActions.create(system, blocking));
    executors.putAll(
        ClusterActions.create(system, new ComponentTopology(database.dataSource(), blocking)));
    return new ActionRegistry(executors, ActionErrors.init(system));
  }

  private static ConditionEvaluator conditions(
      ActorSystem<?> system, Database database, Executor blocking) {
    JdbcConditionEvaluator evaluator =
        new JdbcConditionEvaluator(
            database.dataSource(), blocking, DatasourceSettings.from(system.settings().config()));
    system.getWhenTerminated().thenRun(evaluator::close);
    return evaluator;
  }
}
