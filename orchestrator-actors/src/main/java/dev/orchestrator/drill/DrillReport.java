package dev.orchestrator.drill;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a drill measured, as stored (a JSON document in {@code drills.report}) and as served by
 * {@code GET /api/v1/drills/{id}}. Rewritten at each stage while the drill runs; counts that are
 * not known yet are null.
 *
 * @param status RUNNING, SUCCEEDED, or FAILED (deadline reached, lost commands, or an error)
 * @param reason why it FAILED; null otherwise
 * @param coordinator the node that runs the drill (never its target)
 * @param singletonBefore where the singleton answered from when the drill was asked for
 * @param singletonAfter where it answered from once it was no longer on the target
 * @param stages what happened, in order, with times since the start
 * @param recoveryMillis from the start to the singleton answering off the target and a command
 *     submitted after that acknowledged; null when not recovered
 * @param commandsSubmitted noop durable commands submitted during the drill
 * @param acknowledged those whose submit was acknowledged
 * @param lost acknowledged ones not found SUCCEEDED within the verify timeout (must be 0)
 * @param duplicated acknowledged ones that ran more than one attempt
 * @param lostIds the first lost ones, to look at
 * @param runsRunningAtStart scenario runs RUNNING when the drill started
 * @param runsResumed those of them that went on (a later event) or finished by the report's end
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record DrillReport(
    String id,
    String type,
    String target,
    String coordinator,
    String status,
    String reason,
    Instant startedAt,
    Instant finishedAt,
    String singletonBefore,
    String singletonAfter,
    List<Stage> stages,
    Long recoveryMillis,
    int commandsSubmitted,
    int acknowledged,
    Integer lost,
    Integer duplicated,
    List<String> lostIds,
    Integer runsRunningAtStart,
    Integer runsResumed) {

  public static final String RUNNING = "RUNNING";
  public static final String SUCCEEDED = "SUCCEEDED";
  public static final String FAILED = "FAILED";

  /**
   * One stage.
   *
   * @param name such as started, unreachable, downed, removed, singletonStarted
   * @param atMillis milliseconds since the drill started
   * @param at wall-clock time
   * @param detail what was seen, in words; may be null
   */
  public record Stage(String name, long atMillis, Instant at, String detail) {}

  /** A drill just started: only its first stage. */
  public static DrillReport starting(
      String id,
      DrillType type,
      String target,
      String coordinator,
      String singletonBefore,
      Instant startedAt) {
    return new DrillReport(
        id,
        type.wire(),
        target,
        coordinator,
        RUNNING,
        null,
        startedAt,
        null,
        singletonBefore,
        null,
        List.of(new Stage("started", 0, startedAt, "coordinated by " + coordinator)),
        null,
        0,
        0,
        null,
        null,
        List.of(),
        null,
        null);
  }

  /** This report ended as FAILED for {@code why} (a drill that could not go on). */
  public DrillReport failed(String why, Instant at) {
    return new DrillReport(
        id,
        type,
        target,
        coordinator,
        FAILED,
        why,
        startedAt,
        at,
        singletonBefore,
        singletonAfter,
        new ArrayList<>(stages),
        recoveryMillis,
        commandsSubmitted,
        acknowledged,
        lost,
        duplicated,
        lostIds,
        runsRunningAtStart,
        runsResumed);
  }
}
