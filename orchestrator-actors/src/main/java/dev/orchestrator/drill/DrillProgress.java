package dev.orchestrator.drill;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What a drill's coordinator has seen so far, turned into a {@link DrillReport} whenever it is
 * stored. Used by one actor only; times are taken from one monotonic clock, so the stages are in
 * order.
 */
final class DrillProgress {
  static final String REMOVED = "removed";
  static final String SINGLETON_STARTED = "singletonStarted";
  static final String FIRST_ACKNOWLEDGED = "firstCommandAcknowledged";
  private static final int LOST_IDS_SHOWN = 20;

  private final DrillReport start;
  private final DrillType type;
  private final long startNanos;
  private final List<DrillReport.Stage> stages;
  private final List<String> acknowledged = new ArrayList<>();
  private int submitted;
  private String singletonAfter;
  private Long singletonAtMillis;
  private Long firstAcknowledgedMillis;
  private String reason;
  private Integer lost;
  private Integer duplicated;
  private List<String> lostIds = List.of();
  private Integer runsRunningAtStart;
  private Integer runsResumed;
  private String status = DrillReport.RUNNING;
  private Instant finishedAt;

  DrillProgress(DrillReport start) {
    this.start = start;
    this.type = DrillType.fromWire(start.type()).orElseThrow();
    long sinceStart = Math.max(0, Duration.between(start.startedAt(), Instant.now()).toNanos());
    this.startNanos = System.nanoTime() - sinceStart;
    this.stages = new ArrayList<>(start.stages());
  }

  String id() {
    return start.id();
  }

  DrillType type() {
    return type;
  }

  String target() {
    return start.target();
  }

  String coordinator() {
    return start.coordinator();
  }

  long elapsedMillis() {
    return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
  }

  /** The number of the next command to submit, counted as submitted. */
  int nextSubmission() {
    return ++submitted;
  }

  /** Records stage {@code name} the first time it is seen; true when it is new. */
  boolean stage(String name, String detail) {
    return stage(name, detail, elapsedMillis());
  }

  private boolean stage(String name, String detail, long atMillis) {
    if (has(name)) {
      return false;
    }
    stages.add(new DrillReport.Stage(name, atMillis, Instant.now(), detail));
    return true;
  }

  /** The singleton answered from {@code address}, not the target; true the first time. */
  boolean singletonElsewhere(String address) {
    if (singletonAfter != null) {
      return false;
    }
    singletonAfter = address;
    singletonAtMillis = elapsedMillis();
    return stage(SINGLETON_STARTED, "answering on " + address, singletonAtMillis);
  }

  /**
   * A submit was acknowledged; true when it is the first of a command submitted after the singleton
   * answered from another node (a new stage).
   */
  boolean acknowledged(String id, long submittedAtMillis) {
    acknowledged.add(id);
    if (firstAcknowledgedMillis != null
        || singletonAtMillis == null
        || submittedAtMillis < singletonAtMillis) {
      return false;
    }
    firstAcknowledgedMillis = elapsedMillis();
    return stage(
        FIRST_ACKNOWLEDGED,
        "command " + id + " submitted at " + submittedAtMillis + " ms",
        firstAcknowledgedMillis);
  }

  List<String> acknowledgedIds() {
    return List.copyOf(acknowledged);
  }

  /** The target is gone, the singleton answers elsewhere and a command was acknowledged since. */
  boolean recovered() {
    return has(REMOVED) && firstAcknowledgedMillis != null;
  }

  /** What is still missing for a recovery, in words. */
  List<String> missing() {
    List<String> missing = new ArrayList<>();
    if (!has(REMOVED)) {
      missing.add("the target was removed from the cluster");
    }
    if (singletonAfter == null) {
      missing.add("the singleton answered from another node");
    } else if (firstAcknowledgedMillis == null) {
      missing.add("a command submitted after that was acknowledged");
    }
    return missing;
  }

  void fail(String why) {
    if (reason == null) {
      reason = why;
    }
  }

  void checked(CommandCheck.Result result) {
    lost = result.lost().size();
    duplicated = result.duplicated();
    lostIds = result.lost().stream().sorted().limit(LOST_IDS_SHOWN).toList();
  }

  void runsRunningAtStart(int runs) {
    runsRunningAtStart = runs;
  }

  void runsResumed(int runs) {
    runsResumed = runs;
  }

  /** Ends the drill: SUCCEEDED when it recovered in time and lost nothing, else FAILED. */
  DrillReport finish(Instant at) {
    if (reason == null && (lost == null || lost > 0)) {
      reason =
          lost == null
              ? "the acknowledged commands could not be checked"
              : lost + " acknowledged commands were not found SUCCEEDED";
    }
    status = reason == null ? DrillReport.SUCCEEDED : DrillReport.FAILED;
    finishedAt = at;
    return report();
  }

  DrillReport report() {
    return new DrillReport(
        start.id(),
        start.type(),
        start.target(),
        start.coordinator(),
        status,
        reason,
        start.startedAt(),
        finishedAt,
        start.singletonBefore(),
        singletonAfter,
        List.copyOf(stages),
        recovered() ? firstAcknowledgedMillis : null,
        submitted,
        acknowledged.size(),
        lost,
        duplicated,
        lostIds,
        runsRunningAtStart,
        runsResumed);
  }

  private boolean has(String name) {
    return stages.stream().anyMatch(s -> s.name().equals(name));
  }
}
