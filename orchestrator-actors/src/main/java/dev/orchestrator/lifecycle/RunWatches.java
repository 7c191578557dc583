package dev.orchestrator.lifecycle;

import akka.actor.typed.ActorRef;
import dev.orchestrator.lifecycle.LifecycleRunState.Run;
import dev.orchestrator.protocol.component.ComponentView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The components a lifecycle run watches: the open ones of its current step, from the step's start
 * (or the run's recovery) to its end, so that their entities tell the run each change at once
 * instead of the run finding it at its next look. One per run incarnation, used from the run
 * entity's thread only.
 */
final class RunWatches {
  /**
   * The shortest watch, for a step whose deadline has passed already (it ends at the next look).
   */
  private static final Duration MIN_WATCH = Duration.ofSeconds(1);

  private final ComponentPort components;
  private final ActorRef<ComponentView> watcher;
  private int step = -1;
  private List<String> watched = List.of();

  RunWatches(ComponentPort components, ActorRef<ComponentView> watcher) {
    this.components = components;
    this.watcher = watcher;
  }

  /**
   * Watches the open components of {@code run}'s current step, once per step; ends the watches of
   * the step before. Each watch lasts until the step's deadline and one more (an escalated stop
   * gets one), within the run's deadline.
   */
  void follow(Run run) {
    if (run.step() == step) {
      return;
    }
    stop();
    step = run.step();
    watched = run.current().stream().filter(run::isOpen).toList();
    if (watched.isEmpty()) {
      return;
    }
    Instant now = Instant.now();
    Instant stepEnd = run.stepStartedAt().plus(run.spec().stepTimeout().multipliedBy(2));
    Instant runEnd = run.startedAt().plus(run.spec().timeout());
    Duration left = Duration.between(now, stepEnd.isBefore(runEnd) ? stepEnd : runEnd);
    Duration duration = left.compareTo(MIN_WATCH) < 0 ? MIN_WATCH : left;
    watched.forEach(id -> components.watch(id, watcher, duration));
  }

  /** Ends every watch (the run finished). */
  void stop() {
    watched.forEach(id -> components.unwatch(id, watcher));
    watched = List.of();
  }
}
