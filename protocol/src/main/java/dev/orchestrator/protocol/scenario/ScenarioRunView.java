package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.JsonSerializable;
import java.time.Instant;
import java.util.List;

/** A run's report: what started it, why, and each step that began, in order. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScenarioRunView(
    String id,
    String scenario,
    long version,
    RunStatus status,
    RunTrigger trigger,
    Explanation explanation,
    String parentRunId,
    int depth,
    List<Step> steps,
    String error,
    Instant createdAt,
    Instant finishedAt)
    implements JsonSerializable {

  /**
   * One step.
   *
   * @param status RUNNING, SUCCEEDED, FAILED, SKIPPED or RETRYING (waiting for its next attempt)
   * @param reattempted true when an attempt of it was cut short by a crash and made again
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
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
      Instant finishedAt)
      implements JsonSerializable {}
}
