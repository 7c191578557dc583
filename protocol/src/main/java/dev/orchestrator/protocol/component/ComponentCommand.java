package dev.orchestrator.protocol.component;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.pattern.StatusReply;
import dev.orchestrator.protocol.JsonSerializable;
import java.time.Duration;

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

  /**
   * Tells {@code watcher} the component's view now and again each time the entity observes a change
   * it journals (state, error, reachability, breaker; told as the write starts, not after its
   * commit), for {@code duration} or until {@link Unwatch}. Kept in memory only: lost when the
   * entity restarts or moves, so a watcher must still look now and then. Ignored (no answer) when
   * the component is not registered.
   */
  record Watch(ActorRef<ComponentView> watcher, Duration duration) implements ComponentCommand {}

  /** Stops telling {@code watcher}. */
  record Unwatch(ActorRef<ComponentView> watcher) implements ComponentCommand {}

  /**
   * Starts the entity if it is not running (from the component keeper: the read side lists the
   * component while no node runs its entity). Running, it changes nothing; an entity that is not
   * registered (deregistered a moment ago, before the read side caught up) leaves memory again.
   * {@code reason} is for the log. It answers {@code replyTo} once it has recovered, so that the
   * keeper wakes a window of entities at a time.
   */
  record Wake(String reason, ActorRef<Done> replyTo) implements ComponentCommand {}
}
