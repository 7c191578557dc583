package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.orchestrator.protocol.JsonSerializable;
import java.time.Instant;
import java.util.List;

/**
 * A scenario as the API shows it: the current definition, whether it may run, and its counters.
 *
 * @param blocked true when {@code max_executions} runs happened since the last acknowledgement
 * @param running the ids of the runs under way
 * @param cooldownUntil when the next automatic, event or schedule run may start; null when now
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScenarioView(
    String name,
    long version,
    ScenarioCommand.Source source,
    boolean enabled,
    boolean blocked,
    Scenario definition,
    List<String> running,
    long runs,
    long succeeded,
    long failed,
    long executionsSinceAck,
    Instant lastStartedAt,
    Instant lastEndedAt,
    RunStatus lastResult,
    Instant cooldownUntil,
    Instant updatedAt)
    implements JsonSerializable {}
