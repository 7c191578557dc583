package dev.orchestrator.protocol.component;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.pattern.StatusReply;
import dev.orchestrator.protocol.JsonSerializable;

/**
 * Commands to a component entity. Not sealed: the entity's private messages (timers, driver
 * replies) live in {@code orchestrator-actors} and implement it there.
 */
public interface ComponentCommand extends JsonSerializable {

  /** Registers the component or replaces its spec. Refused when the spec has problems. */
  record Register(ComponentSpec spec, ActorRef<StatusReply<ComponentView>> replyTo)
      implements ComponentCommand {}

  /** Reads the component. Refused when it is not registered. */
  record Get(ActorRef<StatusReply<ComponentView>> replyTo) implements ComponentCommand {}

  /** Reads the component's state and health history. Refused when it is not registered. */
  record GetHistory(ActorRef<StatusReply<ComponentHistory>> replyTo) implements ComponentCommand {}

  /** Removes the component. Refused when it is not registered. */
  record Deregister(ActorRef<StatusReply<Done>> replyTo) implements ComponentCommand {}

  /**
   * Sends a lifecycle command to the component. Refused, with the observed state and the allowed
   * commands, when the FSM forbids it; refused while the circuit breaker is open; refused and
   * recorded when {@code epoch} (the sender's fencing epoch, {@code Epochs.current} of its node) is
   * older than the highest the component has seen. A null epoch (a sender that predates fencing) is
   * not checked.
   */
  record Lifecycle(
      LifecycleCommand command, Long epoch, ActorRef<StatusReply<ComponentView>> replyTo)
      implements ComponentCommand {}

  /** Injects a fault into a {@code simulated} component. Refused for other drivers. */
  record Simulate(SimulatedFault fault, ActorRef<StatusReply<ComponentView>> replyTo)
      implements ComponentCommand {}
}
