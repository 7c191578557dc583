package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.orchestrator.protocol.JsonSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An event-triggered playbook, as a file or the API gives it. Field names on the wire are snake
 * case, as in DESIGN.md; {@link ScenarioLoader} reads and validates files, this record only holds
 * the result.
 *
 * @param name an id ({@link dev.orchestrator.protocol.Ids}); the key of the scenario
 * @param priority lower runs first; {@link #DEFAULT_PRIORITY} when absent
 * @param conditions must hold for a run to start; null when there are none
 * @param cooldown the least time between the starts of two runs; zero when absent
 * @param maxConcurrentExecutions runs at once; 1 when absent
 * @param maxExecutions when present, the scenario is blocked after this many runs until an operator
 *     acknowledges it
 * @param actions run one after another; never empty in a valid scenario
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Scenario(
    String name,
    String description,
    Integer priority,
    Trigger trigger,
    Condition conditions,
    @JsonSerialize(using = DurationText.Serializer.class)
        @JsonDeserialize(using = DurationText.Deserializer.class)
        Duration cooldown,
    @JsonProperty("max_concurrent_executions") Integer maxConcurrentExecutions,
    @JsonProperty("max_executions") Integer maxExecutions,
    List<Action> actions)
    implements JsonSerializable {

  public static final int DEFAULT_PRIORITY = 100;
  public static final int MIN_PRIORITY = 0;
  public static final int MAX_PRIORITY = 1000;

  public Scenario {
    priority = priority == null ? DEFAULT_PRIORITY : priority;
    cooldown = cooldown == null ? Duration.ZERO : cooldown;
    maxConcurrentExecutions = maxConcurrentExecutions == null ? 1 : maxConcurrentExecutions;
    actions = actions == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(actions));
  }
}
