package dev.orchestrator.lifecycle;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.orchestrator.component.ComponentEntity;
import dev.orchestrator.protocol.component.ComponentCommand;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.LifecycleCommand;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** {@link ComponentPort} through the component entities' shards. */
public final class ShardedComponentPort implements ComponentPort {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

  private final ClusterSharding sharding;

  public ShardedComponentPort(ActorSystem<?> system) {
    this.sharding = ClusterSharding.get(system);
  }

  @Override
  public CompletionStage<ComponentView> view(String componentId) {
    return sharding
        .entityRefFor(ComponentEntity.ENTITY_TYPE_KEY, componentId)
        .askWithStatus(ComponentCommand.Get::new, ASK_TIMEOUT);
  }

  @Override
  public CompletionStage<ComponentView> lifecycle(String componentId, LifecycleCommand command) {
    return sharding
        .entityRefFor(ComponentEntity.ENTITY_TYPE_KEY, componentId)
        .askWithStatus(replyTo -> new ComponentCommand.Lifecycle(command, replyTo), ASK_TIMEOUT);
  }
}
