package dev.orchestrator.protocol.scenario;

import akka.actor.typed.ActorRef;
import akka.pattern.StatusReply;
import dev.orchestrator.protocol.JsonSerializable;

/**
 * Commands to a scenario run entity. Not sealed: the entity's private messages (timers, action
 * outcomes) live in {@code orchestrator-actors}.
 */
public interface ScenarioRunCommand extends JsonSerializable {

  /** Starts the run; a second Start of the same run answers its report and changes nothing. */
  record Start(ScenarioRunSpec spec, ActorRef<StatusReply<ScenarioRunView>> replyTo)
      implements ScenarioRunCommand {}

  /** The run's report. Refused when no run has this id. */
  record Get(ActorRef<StatusReply<ScenarioRunView>> replyTo) implements ScenarioRunCommand {}

  /**
   * Stops the run: no further step starts, the one in flight is abandoned, the run ends CANCELLED.
   * Refused when the run has already ended.
   */
  record Cancel(String reason, ActorRef<StatusReply<ScenarioRunView>> replyTo)
      implements ScenarioRunCommand {}
}
