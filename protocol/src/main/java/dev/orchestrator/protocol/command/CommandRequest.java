package dev.orchestrator.protocol.command;

import akka.actor.typed.ActorRef;
import akka.pattern.StatusReply;
import dev.orchestrator.protocol.JsonSerializable;

/**
 * Messages to a command entity. Not sealed: the entity's private messages (attempt results, timers)
 * live in {@code orchestrator-actors} and implement it there.
 */
public interface CommandRequest extends JsonSerializable {

  /**
   * Creates the command (answered once its first event is committed), or answers the existing one
   * when this id is taken already (the idempotent case).
   *
   * @param parentId the command whose chain starts this one, or null
   */
  record Submit(CommandSpec spec, String parentId, ActorRef<StatusReply<CommandView>> replyTo)
      implements CommandRequest {}

  /** Reads the command. Refused when there is no command with this id. */
  record Get(ActorRef<StatusReply<CommandView>> replyTo) implements CommandRequest {}

  /**
   * Cancels the command: a pending one never runs, a running one is told to stop; both end
   * CANCELLED. Refused when the command has finished already or does not exist.
   */
  record Cancel(String reason, ActorRef<StatusReply<CommandView>> replyTo)
      implements CommandRequest {}
}
