package dev.orchestrator.component;

import dev.orchestrator.component.ComponentState.Active;
import dev.orchestrator.component.driver.Observation;
import dev.orchestrator.protocol.component.BreakerState;
import dev.orchestrator.protocol.component.ComponentEvent;
import dev.orchestrator.protocol.component.ComponentEvent.BreakerClosed;
import dev.orchestrator.protocol.component.ComponentEvent.BreakerOpened;
import dev.orchestrator.protocol.component.ComponentEvent.Faulted;
import dev.orchestrator.protocol.component.ComponentEvent.Recovered;
import dev.orchestrator.protocol.component.ComponentEvent.StateChanged;
import dev.orchestrator.protocol.component.ComponentEvent.Unreachable;
import dev.orchestrator.protocol.component.FsmState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a component entity makes of its driver's answers and failures: the events that record a
 * change, none when nothing changed. Keeps the counters that are never journaled (missed polls and
 * failed calls in a row, the last answer); one per entity incarnation, used from its thread only.
 */
final class Observer {
  private final String componentId;
  private final ComponentSettings settings;

  private int missedPolls;
  private int failures;
  private Instant lastSeen;

  Observer(String componentId, ComponentSettings settings) {
    this.componentId = componentId;
    this.settings = settings;
  }

  /** A new driver: its counters start from zero. */
  void reset() {
    missedPolls = 0;
    failures = 0;
  }

  /** When the component last answered a poll in this incarnation, null before. */
  Instant lastSeen() {
    return lastSeen;
  }

  /** The component answered a poll. */
  List<ComponentEvent> answered(Active state, Observation seen, Instant now) {
    missedPolls = 0;
    failures = 0;
    lastSeen = seen.at();
    List<ComponentEvent> events = new ArrayList<>();
    if (state.unreachable()) {
      events.add(new Recovered(componentId, now));
    }
    if (state.breaker() != BreakerState.CLOSED) {
      events.add(new BreakerClosed(componentId, now));
    }
    Active current = state;
    for (ComponentEvent event : events) {
      current = (Active) current.apply(event, settings.historySize());
    }
    String error =
        seen.error()
            ? (seen.errorMessage() == null ? "the component reports an error" : seen.errorMessage())
            : null;
    if (seen.state() != current.state() || !Objects.equals(error, current.error())) {
      events.add(new StateChanged(componentId, current.state(), seen.state(), error, now));
      if (seen.state() == FsmState.FAULT && current.state() != FsmState.FAULT) {
        events.add(new Faulted(componentId, error, now));
      }
    }
    return events;
  }

  /** A driver call (a poll when {@code poll}, else a send) failed with {@code reason}. */
  List<ComponentEvent> failed(Active state, String reason, boolean poll, Instant now) {
    failures++;
    if (poll) {
      missedPolls++;
    }
    List<ComponentEvent> events = new ArrayList<>();
    if (poll && !state.unreachable() && missedPolls >= settings.unreachableAfterMissedPolls()) {
      events.add(new Unreachable(componentId, missedPolls, reason, now));
    }
    boolean probeFailed = state.breaker() == BreakerState.HALF_OPEN;
    if (probeFailed
        || (state.breaker() == BreakerState.CLOSED
            && failures >= settings.breakerFailuresToOpen())) {
      Duration backoff =
          probeFailed
              ? settings.nextBackoff(state.breakerBackoff())
              : settings.breakerInitialBackoff();
      events.add(new BreakerOpened(componentId, failures, backoff, now.plus(backoff), reason, now));
    }
    return events;
  }

  /** The open breaker held a poll back: nobody saw the component, so the poll is missed. */
  List<ComponentEvent> heldBack(Active state, Instant now) {
    missedPolls++;
    if (!state.unreachable() && missedPolls >= settings.unreachableAfterMissedPolls()) {
      return List.of(
          new Unreachable(
              componentId, missedPolls, "not polled while the circuit breaker is open", now));
    }
    return List.of();
  }
}
