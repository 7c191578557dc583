package dev.orchestrator.protocol.component;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.JsonSerializable;
import java.time.Instant;

/**
 * A registered component as its entity sees it; the reply to queries and registrations.
 *
 * @param state the lifecycle state the component last reported
 * @param desiredState the resting state of the last lifecycle command, null before the first
 * @param health what the component last answered to a health check, null before the first
 * @param unreachable true after {@code unreachable-after-missed-polls} polls in a row failed
 * @param breaker the circuit breaker in front of its driver
 * @param fault the fault injected into a {@code simulated} component
 * @param lastSeen when the component last answered a poll
 * @param error the component's error message, or why it cannot be reached
 * @param epoch the highest fencing epoch the component has seen in a lifecycle command
 * @param staleEpochRefusals lifecycle commands refused because their epoch was older
 */
public record ComponentView(
    String id,
    ComponentSpec spec,
    FsmState state,
    FsmState desiredState,
    JsonNode health,
    boolean unreachable,
    BreakerState breaker,
    SimulatedFault fault,
    Instant lastSeen,
    String error,
    Instant registeredAt,
    Instant updatedAt,
    long epoch,
    long staleEpochRefusals)
    implements JsonSerializable {

  public ComponentView {
    // Jackson reads an absent JsonNode as NullNode; null it is, so that a round trip is equal.
    health = health == null || health.isNull() ? null : health;
  }

  public ComponentView withLastSeen(Instant seen) {
    return new ComponentView(
        id,
        spec,
        state,
        desiredState,
        health,
        unreachable,
        breaker,
        fault,
        seen,
        error,
        registeredAt,
        updatedAt,
        epoch,
        staleEpochRefusals);
  }
}
