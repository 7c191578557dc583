package dev.orchestrator.protocol.lifecycle;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.pattern.StatusReply;
import dev.orchestrator.protocol.JsonSerializable;
import java.util.List;
import java.util.Map;

/**
 * Commands to a lifecycle run entity. Not sealed: the entity's private messages (timers, component
 * answers) live in {@code orchestrator-actors}.
 */
public interface LifecycleRunCommand extends JsonSerializable {

  /** Starts the run with this plan; a second Start of the same run answers its report. */
  record Start(
      LifecycleRunSpec spec,
      List<List<String>> plan,
      Map<String, List<String>> blockers,
      ActorRef<StatusReply<LifecycleRunView>> replyTo)
      implements LifecycleRunCommand {}

  /** The run's report. Refused when no run has this id. */
  record Get(ActorRef<StatusReply<LifecycleRunView>> replyTo) implements LifecycleRunCommand {}

  /**
   * Starts the run's entity if it is not running (from the keeper of unfinished runs: the read side
   * shows the run RUNNING while no node runs it); its recovery carries on where it stood. {@code
   * reason} is for the log. It answers {@code replyTo} once it has recovered, so that the keeper
   * wakes a window of entities at a time.
   */
  record Wake(String reason, ActorRef<Done> replyTo) implements LifecycleRunCommand {}
}
