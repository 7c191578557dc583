package dev.orchestrator.lifecycle;

import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.LifecycleCommand;
import dev.orchestrator.protocol.lifecycle.LifecycleRunCommand;
import java.util.List;

/** The run entity's private messages: timers and component answers. Never sent over the wire. */
interface LifecycleRunInternal extends LifecycleRunCommand {

  /** Look at the open components of the current step again. */
  enum Poll implements LifecycleRunInternal {
    INSTANCE
  }

  /** The current step's time is up (if it is still step {@code step}). */
  record StepDeadline(int step, boolean escalated) implements LifecycleRunInternal {}

  /** The whole run's time is up. */
  enum RunDeadline implements LifecycleRunInternal {
    INSTANCE
  }

  /** Nothing left to do: leave memory. */
  enum Idle implements LifecycleRunInternal {
    INSTANCE
  }

  /** A component's view, or why it could not be read (one of an {@link ObservedAll}). */
  record Observed(String componentId, ComponentView view, String error) {}

  /**
   * Watched components changed (or answered a watch): their views now, the latest of each, from the
   * run's {@link ChangeBatcher}, which sends the next batch only once told this one was taken.
   */
  record ChangedAll(List<ComponentView> views) implements LifecycleRunInternal {}

  /** Decide on the changes heard of since the last flush, together. */
  enum Flush implements LifecycleRunInternal {
    INSTANCE
  }

  /** The views of several components, asked for together. */
  record ObservedAll(List<Observed> all) implements LifecycleRunInternal {}

  /** The answers to lifecycle commands sent together. */
  record SentAll(List<SendResult> all) implements LifecycleRunInternal {}

  /** The answer to a lifecycle command this run sent (one of a {@link SentAll}). */
  record SendResult(
      String componentId, LifecycleCommand command, ComponentView before, String error) {}
}
