package dev.orchestrator.gateway.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.scenario.Explanation;
import dev.orchestrator.protocol.scenario.RunTrigger;
import dev.orchestrator.protocol.scenario.ScenarioRunView;
import dev.orchestrator.scenario.readside.ScenarioRunSummary;
import java.time.Instant;
import java.util.List;

/** A scenario run's report on the wire: what started it, why, and each step. */
public record RunResponse(
    String id,
    String scenario,
    long version,
    String status,
    RunTrigger trigger,
    Explanation explanation,
    String parentRunId,
    int depth,
    List<Step> steps,
    String error,
    Instant createdAt,
    Instant finishedAt) {

  static RunResponse of(ScenarioRunView v) {
    List<Step> steps = v.steps() == null ? List.of() : v.steps().stream().map(Step::of).toList();
    return new RunResponse(
        v.id(),
        v.scenario(),
        v.version(),
        v.status() == null ? null : v.status().name(),
        v.trigger(),
        v.explanation(),
        v.parentRunId(),
        v.depth(),
        steps,
        v.error(),
        v.createdAt(),
        v.finishedAt());
  }

  /** One step; {@code path} such as {@code actions[2].on_failure[0]}. */
  public record Step(
      String path,
      String action,
      String status,
      int attempts,
      boolean reattempted,
      String detail,
      JsonNode output,
      String error,
      Instant startedAt,
      Instant finishedAt) {
    static Step of(ScenarioRunView.Step s) {
      return new Step(
          s.path(),
          s.action(),
          s.status(),
          s.attempts(),
          s.reattempted(),
          s.detail(),
          s.output(),
          s.error(),
          s.startedAt(),
          s.finishedAt());
    }
  }

  /** A run in a list: the read side's summary, without trigger data and steps. */
  public record Summary(
      String id,
      String scenario,
      long version,
      String status,
      String triggerType,
      String triggerSource,
      String parentRunId,
      int stepsDone,
      String error,
      Instant createdAt,
      Instant finishedAt) {
    static Summary of(ScenarioRunSummary s) {
      return new Summary(
          s.id(),
          s.scenario(),
          s.version(),
          s.status().name(),
          s.triggerType(),
          s.triggerSource(),
          s.parentRunId(),
          s.stepsDone(),
          s.error(),
          s.createdAt(),
          s.finishedAt());
    }
  }

  /** A page of runs, newest first; {@code next} is the {@code after} value of the next page. */
  public record Page(List<Summary> items, String next) {}
}
