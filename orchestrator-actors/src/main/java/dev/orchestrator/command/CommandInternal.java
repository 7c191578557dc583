package dev.orchestrator.command;

import akka.Done;
import akka.actor.typed.ActorRef;
import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.JsonSerializable;
import dev.orchestrator.protocol.command.CommandRequest;
import java.time.Instant;

/** Messages between command entities and executors, and the entities' own timer ticks. */
public final class CommandInternal {
  private CommandInternal() {}

  /** Time to look again: start the next attempt, or check whether an executor is up now. */
  public enum Tick implements CommandRequest {
    INSTANCE
  }

  /** The current attempt ran past its timeout. */
  public record AttemptTimedOut(int attempt) implements CommandRequest {}

  /** The node whose executor ran the current attempt left the cluster. */
  public record ExecutorGone(int attempt) implements CommandRequest {}

  /**
   * After a restart of the entity (a moved shard) the executor still runs the attempt and now
   * answers to the new incarnation.
   */
  public record Attached(int attempt) implements CommandRequest {}

  /** The executor the entity re-attached to did not answer in time. */
  public record ReattachTimedOut(int attempt) implements CommandRequest {}

  /** A chained child answered its submit ({@code ok}), or did not in time. */
  public record ChildSubmitted(String childId, boolean ok) implements CommandRequest {}

  /**
   * From the {@link CommandKeeper}: the read side shows this command unfinished (or as a chained
   * child not yet submitted) while its entity is not running anywhere. Starting the entity is the
   * point: its recovery carries on where it stood. {@code reason} is for the log. It answers {@code
   * replyTo} once it has recovered, so that the keeper wakes a window of entities at a time.
   */
  public record Wake(String reason, ActorRef<Done> replyTo) implements CommandRequest {}

  /** A finished command has been idle for a while: leave memory. */
  public enum Idle implements CommandRequest {
    INSTANCE
  }

  /** The outcome of an attempt, from the executor to the entity. */
  public record AttemptOutcome(
      int attempt, boolean success, JsonNode output, String error, Failure failure)
      implements CommandRequest {
    public static AttemptOutcome succeeded(int attempt, JsonNode output) {
      return new AttemptOutcome(attempt, true, output, null, null);
    }

    public static AttemptOutcome failed(int attempt, Failure failure, String error) {
      return new AttemptOutcome(attempt, false, null, error, failure);
    }
  }

  /** How an attempt failed. */
  public enum Failure {
    /** Worth another attempt while retries remain. */
    RETRYABLE,
    /** No attempt can succeed (bad input, a handler's PermanentFailure). */
    PERMANENT,
    /** No handler of that name on the executor's node. */
    NOT_FOUND,
    /** The attempt was cancelled on request. */
    CANCELLED
  }

  /** Messages to a node's command executor. */
  public interface ExecutorMessage extends JsonSerializable {}

  /** Runs one attempt and answers {@link AttemptOutcome} to {@code replyTo}. */
  public record Execute(
      String commandId,
      int attempt,
      String name,
      JsonNode input,
      String idempotencyKey,
      Instant deadline,
      ActorRef<CommandRequest> replyTo)
      implements ExecutorMessage {}

  /**
   * From an entity restarted elsewhere (its shard moved) to the executor that runs its attempt:
   * answer to {@code replyTo} from now on. The executor answers {@link Attached}, the outcome if
   * the attempt has just finished, or {@link ExecutorGone} if it does not know the attempt.
   */
  public record Reattach(String commandId, int attempt, ActorRef<CommandRequest> replyTo)
      implements ExecutorMessage {}

  /** Tells a running attempt to stop (cooperative: its handler sees cancelled()). */
  public record CancelAttempt(String commandId, int attempt) implements ExecutorMessage {}
}
