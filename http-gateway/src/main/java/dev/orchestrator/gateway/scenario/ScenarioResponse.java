package dev.orchestrator.gateway.scenario;

import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.protocol.scenario.ScenarioView;
import java.time.Instant;
import java.util.List;

/**
 * A scenario on the wire: its definition (as its file has it, snake case), whether it may run, and
 * its counters. {@code trigger} and {@code priority} repeat the definition's, for lists.
 */
public record ScenarioResponse(
    String name,
    long version,
    String source,
    boolean enabled,
    boolean blocked,
    int priority,
    String trigger,
    List<String> running,
    long runs,
    long succeeded,
    long failed,
    long executionsSinceAck,
    Instant lastStartedAt,
    Instant lastEndedAt,
    String lastResult,
    Instant cooldownUntil,
    Instant updatedAt,
    Scenario definition) {

  static ScenarioResponse of(ScenarioView v) {
    Scenario d = v.definition();
    return new ScenarioResponse(
        v.name(),
        v.version(),
        v.source() == null ? null : v.source().name(),
        v.enabled(),
        v.blocked(),
        d == null ? Scenario.DEFAULT_PRIORITY : d.priority(),
        d == null || d.trigger() == null ? null : d.trigger().type(),
        v.running() == null ? List.of() : v.running(),
        v.runs(),
        v.succeeded(),
        v.failed(),
        v.executionsSinceAck(),
        v.lastStartedAt(),
        v.lastEndedAt(),
        v.lastResult() == null ? null : v.lastResult().name(),
        v.cooldownUntil(),
        v.updatedAt(),
        d);
  }

  /** {@code GET /api/v1/scenarios}. */
  public record Listing(List<ScenarioResponse> items) {}

  /** {@code POST /api/v1/scenarios/validate} of a valid text: what it defines. */
  public record Validated(boolean valid, Scenario scenario) {}

  /** A manual run that was admitted. */
  public record RunAccepted(String runId) {}
}
