package dev.orchestrator.gateway.component;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.Durations;
import dev.orchestrator.protocol.component.ComponentView;
import java.time.Instant;
import java.util.List;

/**
 * A component on the wire. {@code epoch}: the highest fencing epoch it has seen in a lifecycle
 * command; {@code staleEpochRefusals}: lifecycle commands refused for an older one.
 */
public record ComponentResponse(
    String id,
    String driver,
    String endpoint,
    String state,
    String desiredState,
    JsonNode health,
    boolean unreachable,
    String breaker,
    String fault,
    List<String> groups,
    List<String> dependsOn,
    String pollInterval,
    Instant lastSeen,
    String error,
    Instant registeredAt,
    Instant updatedAt,
    long epoch,
    long staleEpochRefusals) {

  static ComponentResponse of(ComponentView view) {
    return new ComponentResponse(
        view.id(),
        view.spec().driver(),
        view.spec().endpoint(),
        view.state().name(),
        view.desiredState() == null ? null : view.desiredState().name(),
        view.health(),
        view.unreachable(),
        view.breaker().name(),
        view.fault().wire(),
        view.spec().groups(),
        view.spec().dependsOn(),
        Durations.format(view.spec().pollInterval()),
        view.lastSeen(),
        view.error(),
        view.registeredAt(),
        view.updatedAt(),
        view.epoch(),
        view.staleEpochRefusals());
  }

  /** A page of components; {@code next} is the {@code after} value of the next page. */
  public record Page(List<ComponentResponse> items, String next) {}
}
