package dev.orchestrator.protocol.component;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.JsonSerializable;
import java.time.Instant;
import java.util.List;

/**
 * The recent past of a component, oldest first, each list bounded by {@code
 * orchestrator.components.history-size}. {@code staleEpochs}: lifecycle commands refused for their
 * old fencing epoch.
 */
public record ComponentHistory(
    String id, List<StateEntry> states, List<HealthEntry> health, List<StaleEpochEntry> staleEpochs)
    implements JsonSerializable {

  public ComponentHistory {
    staleEpochs = staleEpochs == null ? List.of() : staleEpochs;
  }

  /** The observed state changed from {@code from} to {@code to}. */
  public record StateEntry(FsmState from, FsmState to, String error, Instant at)
      implements JsonSerializable {}

  /** The component reported this health. */
  public record HealthEntry(JsonNode health, Instant at) implements JsonSerializable {}

  /** {@code command} carried {@code epoch}, older than {@code highestEpoch}: refused. */
  public record StaleEpochEntry(LifecycleCommand command, long epoch, long highestEpoch, Instant at)
      implements JsonSerializable {}
}
