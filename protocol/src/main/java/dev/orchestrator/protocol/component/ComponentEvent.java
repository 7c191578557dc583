package dev.orchestrator.protocol.component;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.JsonSerializable;
import java.time.Duration;
import java.time.Instant;

/**
 * Facts about a component, as journaled. Never renamed without a JacksonMigration. Observations are
 * journaled only when something changed, never once per poll.
 */
public sealed interface ComponentEvent extends JsonSerializable {
  String id();

  Instant at();

  record Registered(String id, ComponentSpec spec, Instant at) implements ComponentEvent {}

  record SpecChanged(String id, ComponentSpec spec, Instant at) implements ComponentEvent {}

  record Deregistered(String id, Instant at) implements ComponentEvent {}

  /**
   * A lifecycle command was accepted and handed to the driver; {@code desired} is its target,
   * {@code epoch} the fencing epoch it carried (null in events written before fencing).
   */
  record LifecycleRequested(
      String id, LifecycleCommand command, FsmState via, FsmState desired, Instant at, Long epoch)
      implements ComponentEvent {}

  /**
   * A lifecycle command carried the fencing epoch {@code epoch}, older than {@code highestEpoch}
   * that the component had seen: it came from a node that was paused or cut off while another took
   * over. It was refused; nothing else changed.
   */
  record StaleEpochRefused(
      String id, LifecycleCommand command, long epoch, long highestEpoch, Instant at)
      implements ComponentEvent {}

  /** The component reported another lifecycle state (or another error message). */
  record StateChanged(String id, FsmState from, FsmState to, String error, Instant at)
      implements ComponentEvent {}

  /** The component reached FAULT; {@code error} is its message. */
  record Faulted(String id, String error, Instant at) implements ComponentEvent {}

  /** The component answered a health check differently from the last time. */
  record HealthChanged(String id, JsonNode health, Instant at) implements ComponentEvent {}

  /** {@code missedPolls} polls in a row failed; {@code reason} is the last failure. */
  record Unreachable(String id, int missedPolls, String reason, Instant at)
      implements ComponentEvent {}

  /** An unreachable component answered again. */
  record Recovered(String id, Instant at) implements ComponentEvent {}

  /** {@code failures} driver calls in a row failed: no calls before {@code retryAt}. */
  record BreakerOpened(
      String id, int failures, Duration backoff, Instant retryAt, String reason, Instant at)
      implements ComponentEvent {}

  /** The breaker's backoff is over: one probe call is made. */
  record BreakerHalfOpened(String id, Instant at) implements ComponentEvent {}

  /** A call succeeded: the breaker lets calls through again. */
  record BreakerClosed(String id, Instant at) implements ComponentEvent {}

  /** An operator set the fault of a {@code simulated} component. */
  record FaultInjected(String id, SimulatedFault fault, Instant at) implements ComponentEvent {}
}
