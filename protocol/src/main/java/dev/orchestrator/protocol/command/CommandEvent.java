package dev.orchestrator.protocol.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.JsonSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Facts about a durable command, as journaled. Never renamed without a JacksonMigration. */
public sealed interface CommandEvent extends JsonSerializable {
  String id();

  Instant at();

  /** A child command that a final event creates, with its id fixed in advance. */
  record Child(String id, CommandSpec spec) implements JsonSerializable {}

  /** Accepted; {@code timeout} is the spec's or the default of the node that accepted it. */
  record Submitted(String id, CommandSpec spec, String parentId, Duration timeout, Instant at)
      implements CommandEvent {}

  /** Attempt {@code attempt} (1-based) was handed to the executor on {@code node}. */
  record AttemptStarted(String id, int attempt, String node, Instant at) implements CommandEvent {}

  /**
   * An attempt failed and another one follows at {@code retryAt}.
   *
   * @param timedOut the attempt ran past the timeout
   * @param interrupted the attempt was lost with its node; it does not use up a retry
   */
  record AttemptFailed(
      String id,
      int attempt,
      String error,
      boolean timedOut,
      boolean interrupted,
      Instant retryAt,
      Instant at)
      implements CommandEvent {}

  /** Waiting: no node with the target role is up (or it just left). */
  record Waiting(String id, String reason, Instant at) implements CommandEvent {}

  record Succeeded(String id, int attempt, JsonNode output, List<Child> children, Instant at)
      implements CommandEvent {}

  /** The command ended FAILED, TIMED_OUT or NOT_FOUND. */
  record Failed(String id, CommandStatus status, String error, List<Child> children, Instant at)
      implements CommandEvent {}

  /** A running command was asked to stop; it ends CANCELLED when its attempt returns. */
  record CancelRequested(String id, String reason, Instant at) implements CommandEvent {}

  record Cancelled(String id, String reason, List<Child> children, Instant at)
      implements CommandEvent {}
}
