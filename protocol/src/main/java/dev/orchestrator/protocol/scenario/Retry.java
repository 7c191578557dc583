package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.orchestrator.protocol.JsonSerializable;
import java.time.Duration;

/**
 * How often an action is tried again after it failed, before its {@code on_failure} runs.
 *
 * @param attempts further attempts after the first one (1 to {@link #MAX_ATTEMPTS})
 * @param backoff the pause before each further attempt; none when absent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Retry(
    int attempts,
    @JsonSerialize(using = DurationText.Serializer.class)
        @JsonDeserialize(using = DurationText.Deserializer.class)
        Duration backoff)
    implements JsonSerializable {
  public static final int MAX_ATTEMPTS = 10;
}
