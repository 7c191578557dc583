package dev.orchestrator.lifecycle;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.orchestrator.component.ComponentEntity;
import dev.orchestrator.component.Epochs;
import dev.orchestrator.protocol.component.ComponentCommand;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.LifecycleCommand;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * {@link ComponentPort} through the component entities' shards; each lifecycle command carries this
 * node's fencing epoch at the time it is sent.
 */
public final class ShardedComponentPort implements ComponentPort {
  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;

  public ShardedComponentPort(ActorSystem<?> system) {
    this.system = system;
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
        .askWithStatus(
            replyTo -> new ComponentCommand.Lifecycle(command, Epochs.current(system), replyTo),
            ASK_TIMEOUT);
  }

  @Override
  public void watch(String componentId, ActorRef<ComponentView> watcher, Duration duration) {
    sharding
        .entityRefFor(ComponentEntity.ENTITY_TYPE_KEY, componentId)
        .tell(new ComponentCommand.Watch(watcher, duration));
  }

  @Override
  public void unwatch(String componentId, ActorRef<ComponentView> watcher) {
    sharding
        .entityRefFor(ComponentEntity.ENTITY_TYPE_KEY, componentId)
        .tell(new ComponentCommand.Unwatch(watcher));
  }
}
