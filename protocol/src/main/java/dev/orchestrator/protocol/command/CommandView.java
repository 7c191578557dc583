package dev.orchestrator.protocol.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.JsonSerializable;
import java.time.Instant;
import java.util.List;

/**
 * A durable command as its entity sees it.
 *
 * @param waitingFor when PENDING or SCHEDULED: what the command waits for, in words
 * @param children ids of the commands its chain started (onSuccess / onFailure / onCancel)
 */
public record CommandView(
    String id,
    String name,
    CommandStatus status,
    JsonNode input,
    String target,
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
    Instant finishedAt)
    implements JsonSerializable {}
