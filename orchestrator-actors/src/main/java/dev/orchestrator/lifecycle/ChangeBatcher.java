package dev.orchestrator.lifecycle;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import dev.orchestrator.protocol.component.ComponentView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stands between a run's watched components and the run entity: it hands the entity the views in
 * batches, at most one batch not yet taken, the latest view of each component.
 *
 * <p>An event-sourced entity stashes whatever arrives while it persists and, in Akka 2.8, takes the
 * stashed commands that persist nothing one inside the other (akka/akka#29933, fixed after 2.8.5):
 * about a thousand of them overflow the stack, which stops the node's JVM. A run over a thousand
 * components would get a view from each while it persists. Through the batcher it gets one message,
 * whatever the number of components: the next batch leaves only once the entity has taken the one
 * before ({@link #TAKEN}), and the first change after a quiet spell leaves at once.
 */
final class ChangeBatcher {
  /** The entity took the last batch: the next may leave. */
  static final Object TAKEN = Taken.INSTANCE;

  private enum Taken {
    INSTANCE
  }

  private final ActorRef<LifecycleRunInternal.ChangedAll> entity;
  private final Map<String, ComponentView> waiting = new LinkedHashMap<>();
  private boolean inFlight;

  private ChangeBatcher(ActorRef<LifecycleRunInternal.ChangedAll> entity) {
    this.entity = entity;
  }

  /**
   * Accepts {@link ComponentView}s (from the components' watches) and {@link #TAKEN} (from the
   * entity); anything else is ignored.
   */
  static Behavior<Object> create(ActorRef<LifecycleRunInternal.ChangedAll> entity) {
    return Behaviors.setup(context -> new ChangeBatcher(entity).behavior());
  }

  private Behavior<Object> behavior() {
    return Behaviors.receive(Object.class)
        .onMessage(
            ComponentView.class,
            view -> {
              waiting.put(view.id(), view);
              sendIfFree();
              return Behaviors.same();
            })
        .onMessageEquals(
            TAKEN,
            () -> {
              inFlight = false;
              sendIfFree();
              return Behaviors.same();
            })
        .build();
  }

  private void sendIfFree() {
    if (!inFlight && !waiting.isEmpty()) {
      List<ComponentView> batch = new ArrayList<>(waiting.values());
      waiting.clear();
      inFlight = true;
      entity.tell(new LifecycleRunInternal.ChangedAll(batch));
    }
  }
}
