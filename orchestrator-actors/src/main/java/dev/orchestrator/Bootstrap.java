package dev.orchestrator;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.orchestrator.component.ComponentEntity;
import dev.orchestrator.component.ComponentProjection;
import dev.orchestrator.component.ComponentRepository;
import dev.orchestrator.db.Database;
import dev.orchestrator.singleton.Orchestrator;
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
      Executor blockingExecutor) {}

  public static Services init(ActorSystem<?> system, Database database) {
    Executor blocking =
        system.dispatchers().lookup(DispatcherSelector.fromConfig(BLOCKING_DISPATCHER));
    ComponentEntity.init(system);
    ComponentProjection.init(system, database.dataSource());
    ActorRef<Orchestrator.Command> orchestrator = Orchestrator.init(system);
    return new Services(
        system,
        database,
        ClusterSharding.get(system),
        orchestrator,
        new ComponentRepository(database.dataSource(), blocking),
        blocking);
  }
}
