package dev.orchestrator.gateway.command;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Body of {@code POST /api/v1/commands}, and of its chained {@code onSuccess}, {@code onFailure}
 * and {@code onCancel}. Durations as {@code 500ms}, {@code 30s}, {@code 5m}; {@code scheduledAt} as
 * an ISO-8601 instant ({@code 2026-11-22T08:00:00Z}).
 */
public record CommandBody(
    String name,
    JsonNode input,
    String target,
    String scheduledAt,
    String timeout,
    Integer retries,
    BackoffBody backoff,
    String idempotencyKey,
    CommandBody onSuccess,
    CommandBody onFailure,
    CommandBody onCancel) {

  /** {@code {initial, max, factor}}; each may be left out. */
  public record BackoffBody(String initial, String max, Double factor) {}

  /** Body of {@code POST /api/v1/commands/{id}/cancel}; may be empty. */
  public record CancelBody(String reason) {}
}
