package dev.orchestrator.gateway.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.command.CommandView;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A durable command on the wire. */
public record CommandResponse(
    String id,
    String name,
    String status,
    String target,
    JsonNode input,
    int attempts,
    int maxAttempts,
    JsonNode output,
    String error,
    String waitingFor,
    String idempotencyKey,
    String parentId,
    List<String> children,
    Instant createdAt,
    Instant scheduledAt,
    Instant startedAt,
    Instant nextAttemptAt,
    Instant finishedAt) {

  static CommandResponse of(CommandView v) {
    return new CommandResponse(
        v.id(),
        v.name(),
        v.status().name(),
        v.target(),
        v.input(),
        v.attempts(),
        v.maxAttempts(),
        v.output(),
        v.error(),
        v.waitingFor(),
        v.idempotencyKey(),
        v.parentId(),
        v.children(),
        v.createdAt(),
        v.scheduledAt(),
        v.startedAt(),
        v.nextAttemptAt(),
        v.finishedAt());
  }

  /** The answer to a submit. */
  public record Accepted(String id, String status) {}

  /** A page of commands; {@code next} is the {@code after} value of the next page. */
  public record Page(List<CommandResponse> items, String next) {}

  /** How many commands are in each status. */
  public record Counts(Map<String, Long> counts) {}

  /** One command of a batch: its id and status when accepted, else why not. */
  record Item(String id, String status, String error) {}

  /** The answer to a batch, in the order of the request. */
  record Batch(List<Item> items) {}
}
