package dev.orchestrator.gateway.component;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.component.ComponentHistory;
import java.time.Instant;
import java.util.List;

/**
 * {@code GET /api/v1/components/{id}/history}: recent state changes, health, and lifecycle commands
 * refused for a stale fencing epoch, oldest first.
 */
public record HistoryResponse(
    String id, List<StateChange> states, List<Health> health, List<StaleEpoch> staleEpochs) {

  public record StateChange(String from, String to, String error, Instant at) {}

  public record Health(JsonNode health, Instant at) {}

  public record StaleEpoch(String command, long epoch, long highestEpoch, Instant at) {}

  static HistoryResponse of(ComponentHistory history) {
    return new HistoryResponse(
        history.id(),
        history.states().stream()
            .map(s -> new StateChange(s.from().name(), s.to().name(), s.error(), s.at()))
            .toList(),
        history.health().stream().map(h -> new Health(h.health(), h.at())).toList(),
        history.staleEpochs().stream()
            .map(r -> new StaleEpoch(r.command().name(), r.epoch(), r.highestEpoch(), r.at()))
            .toList());
  }
}
