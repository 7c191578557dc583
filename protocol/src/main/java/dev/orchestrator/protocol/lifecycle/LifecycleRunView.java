package dev.orchestrator.protocol.lifecycle;

import dev.orchestrator.protocol.JsonSerializable;
import java.time.Instant;
import java.util.List;

/**
 * A lifecycle run as its report: what happened to whom, step by step.
 *
 * @param status RUNNING, SUCCEEDED, FAILED or TIMED_OUT
 */
public record LifecycleRunView(
    String id,
    LifecycleRunSpec spec,
    String status,
    List<Step> steps,
    Instant startedAt,
    Instant finishedAt)
    implements JsonSerializable {

  /** One step: components handled together. */
  public record Step(int index, Instant startedAt, List<Outcome> components)
      implements JsonSerializable {}

  /**
   * What happened to one component.
   *
   * @param status PENDING (not yet handled), SENT, REACHED, FAILED or SKIPPED
   */
  public record Outcome(
      String id,
      String status,
      String from,
      String expected,
      String reached,
      String reason,
      Instant sentAt,
      Instant finishedAt)
      implements JsonSerializable {}
}
