package dev.orchestrator.scenario.feed;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orchestrator.protocol.component.ComponentEvent;
import dev.orchestrator.singleton.Orchestrator.IncomingEvent;
import java.util.List;
import java.util.Optional;

/**
 * The component events that event-triggered scenarios can match, as {@link IncomingEvent}s whose
 * source is the component id.
 */
public final class ComponentEvents {
  /** The event types, as scenario triggers name them. */
  public static final List<String> TYPES =
      List.of(
          "COMPONENT_STATE_CHANGED",
          "COMPONENT_FAULT",
          "COMPONENT_HEALTH_CHANGED",
          "COMPONENT_UNREACHABLE",
          "COMPONENT_RECOVERED",
          "COMPONENT_BREAKER_OPENED");

  private ComponentEvents() {}

  /** The incoming event for {@code event}; empty for events scenarios do not see. */
  public static Optional<IncomingEvent> of(ComponentEvent event) {
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    String type;
    if (event instanceof ComponentEvent.StateChanged e) {
      type = "COMPONENT_STATE_CHANGED";
      data.put("from", e.from() == null ? null : e.from().name());
      data.put("to", e.to().name());
      data.put("error", e.error());
    } else if (event instanceof ComponentEvent.Faulted e) {
      type = "COMPONENT_FAULT";
      data.put("error", e.error());
    } else if (event instanceof ComponentEvent.HealthChanged e) {
      type = "COMPONENT_HEALTH_CHANGED";
      data.set("health", e.health());
    } else if (event instanceof ComponentEvent.Unreachable e) {
      type = "COMPONENT_UNREACHABLE";
      data.put("missedPolls", e.missedPolls());
      data.put("reason", e.reason());
    } else if (event instanceof ComponentEvent.Recovered) {
      type = "COMPONENT_RECOVERED";
    } else if (event instanceof ComponentEvent.BreakerOpened) {
      type = "COMPONENT_BREAKER_OPENED";
    } else {
      return Optional.empty();
    }
    data.put("at", event.at().toString());
    return Optional.of(new IncomingEvent(type, event.id(), data));
  }
}
