package dev.orchestrator.scenario.readside;

import dev.orchestrator.protocol.scenario.RunStatus;
import java.time.Instant;

/**
 * A run as the {@code scenario_runs} table has it: enough for a list; the run entity has the whole
 * report (trigger data, explanation, steps).
 *
 * @param version the definition's version the run follows
 * @param triggerType what started it, one of {@link
 *     dev.orchestrator.protocol.scenario.RunTrigger#TYPES}
 * @param triggerSource who caused it (an event's source, the user of a manual run); null when
 *     unknown
 * @param stepsDone the steps that ended for good (succeeded, skipped or failed)
 */
public record ScenarioRunSummary(
    String id,
    String scenario,
    long version,
    RunStatus status,
    String triggerType,
    String triggerSource,
    String parentRunId,
    int stepsDone,
    String error,
    Instant createdAt,
    Instant finishedAt) {}
