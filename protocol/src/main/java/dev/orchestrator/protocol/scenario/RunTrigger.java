package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.JsonSerializable;
import java.time.Instant;
import java.util.List;

/**
 * What started a run, as templates ({@code trigger.source}, {@code trigger.data.x}) and the run
 * report see it.
 *
 * @param type one of {@link #TYPES}
 * @param event the event type for {@code event} triggers, the cron fire time for {@code schedule};
 *     null otherwise
 * @param source who caused it: the event's source, the user of a manual run, the parent run of a
 *     nested one
 * @param data free-form data: the event's data, the body of a manual run; null when none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunTrigger(String type, String event, String source, JsonNode data, Instant at)
    implements JsonSerializable {
  public static final List<String> TYPES =
      List.of("automatic", "event", "schedule", "manual", "scenario");
}
