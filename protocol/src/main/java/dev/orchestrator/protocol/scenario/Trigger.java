package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.orchestrator.protocol.JsonSerializable;
import java.util.List;

/**
 * What starts a scenario.
 *
 * @param type {@code automatic} (the orchestrator evaluates the conditions every tick), {@code
 *     event} (an incoming event of {@link Event#type()}), {@code schedule} (a cron expression) or
 *     {@code manual} (only through the API)
 * @param event for {@code event} only: which events fire it
 * @param cron for {@code schedule} only: 5 fields (minute hour day-of-month month day-of-week) or 6
 *     (seconds first); see {@link CronExpression}
 * @param timezone for {@code schedule} only: the zone the cron expression is read in, UTC when
 *     absent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Trigger(String type, Event event, String cron, String timezone)
    implements JsonSerializable {

  public static final List<String> TYPES = List.of("automatic", "event", "schedule", "manual");

  /**
   * @param type the event type to match, such as {@code UPS_POWER_LOST}
   * @param source when present, only events from this source match
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Event(String type, String source) implements JsonSerializable {}
}
