package dev.orchestrator.lifecycle;

import akka.actor.typed.ActorRef;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.LifecycleCommand;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** How a lifecycle run reaches components: through their entities, wherever they live. */
public interface ComponentPort {

  /** The component as its entity sees it; fails with the reason when it is not registered. */
  CompletionStage<ComponentView> view(String componentId);

  /** Sends a lifecycle command; fails with the entity's reason when the FSM refuses it. */
  CompletionStage<ComponentView> lifecycle(String componentId, LifecycleCommand command);

  /**
   * Asks the component to tell {@code watcher} its view now and after each change, for {@code
   * duration}. Best effort: nothing answers when the component is not registered, and the watch is
   * lost when its entity restarts.
   */
  void watch(String componentId, ActorRef<ComponentView> watcher, Duration duration);

  /** Ends a {@link #watch}. */
  void unwatch(String componentId, ActorRef<ComponentView> watcher);
}
