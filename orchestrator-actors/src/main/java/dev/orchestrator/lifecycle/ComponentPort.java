package dev.orchestrator.lifecycle;

import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.LifecycleCommand;
import java.util.concurrent.CompletionStage;

/** How a lifecycle run reaches components: through their entities, wherever they live. */
public interface ComponentPort {

  /** The component as its entity sees it; fails with the reason when it is not registered. */
  CompletionStage<ComponentView> view(String componentId);

  /** Sends a lifecycle command; fails with the entity's reason when the FSM refuses it. */
  CompletionStage<ComponentView> lifecycle(String componentId, LifecycleCommand command);
}
