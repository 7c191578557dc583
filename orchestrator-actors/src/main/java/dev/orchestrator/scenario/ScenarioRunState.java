package dev.orchestrator.scenario;

import dev.orchestrator.protocol.JsonSerializable;
import dev.orchestrator.protocol.scenario.RunStatus;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.EndReported;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.Logged;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.RunFinished;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.RunStarted;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.StepFailed;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.StepSkipped;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.StepStarted;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.StepSucceeded;
import dev.orchestrator.protocol.scenario.ScenarioRunSpec;
import dev.orchestrator.protocol.scenario.ScenarioRunView;
import dev.orchestrator.protocol.scenario.ScenarioRunView.Step;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A scenario run's state; replaced, never mutated. */
public sealed interface ScenarioRunState extends JsonSerializable {

  ScenarioRunState apply(ScenarioRunEvent event);

  /** No run has this id yet. */
  record Empty() implements ScenarioRunState {
    @Override
    public ScenarioRunState apply(ScenarioRunEvent event) {
      if (event instanceof RunStarted s) {
        return new Run(
            s.runId(),
            s.spec(),
            RunStatus.RUNNING,
            List.of(),
            StepPaths.FIRST,
            null,
            null,
            null,
            false,
            s.at(),
            null);
      }
      throw new IllegalStateException("a run begins with RunStarted, not " + event);
    }
  }

  /**
   * A run that started.
   *
   * @param steps every step begun, in the order they began
   * @param current the step to run or running now; null when nothing is left
   * @param failure the error of the latest step that failed for good ({@code failure.message})
   * @param firstError the first such error with its step: the run's error
   * @param retryAt when the current step's next attempt is due; null when not waiting
   */
  record Run(
      String id,
      ScenarioRunSpec spec,
      RunStatus status,
      List<Step> steps,
      String current,
      String failure,
      String firstError,
      Instant retryAt,
      boolean reported,
      Instant createdAt,
      Instant finishedAt)
      implements ScenarioRunState {

    @Override
    public ScenarioRunState apply(ScenarioRunEvent event) {
      if (event instanceof StepStarted s) {
        Step before = step(s.path());
        Step step =
            new Step(
                s.path(),
                s.action(),
                "RUNNING",
                s.attempt(),
                s.reattempt() || (before != null && before.reattempted()),
                null,
                null,
                null,
                before == null ? s.at() : before.startedAt(),
                null);
        return with(replace(step), s.path(), failure, firstError, null);
      } else if (event instanceof StepSucceeded s) {
        Step b = step(s.path());
        Step step =
            new Step(
                s.path(),
                b.action(),
                "SUCCEEDED",
                b.attempts(),
                b.reattempted(),
                s.detail(),
                s.output(),
                null,
                b.startedAt(),
                s.at());
        return with(
            replace(step), StepPaths.next(spec.definition(), s.path()), failure, firstError, null);
      } else if (event instanceof StepFailed s) {
        Step b = step(s.path());
        boolean retry = s.retryAt() != null;
        Step step =
            new Step(
                s.path(),
                b.action(),
                retry ? "RETRYING" : "FAILED",
                s.attempt(),
                b.reattempted(),
                null,
                null,
                s.error(),
                b.startedAt(),
                retry ? null : s.at());
        if (retry) {
          return with(replace(step), current, failure, firstError, s.retryAt());
        }
        String first = firstError != null ? firstError : s.path() + ": " + s.error();
        return with(
            replace(step),
            StepPaths.firstOnFailure(spec.definition(), s.path()),
            s.error(),
            first,
            null);
      } else if (event instanceof StepSkipped s) {
        Step b = step(s.path());
        Step step =
            new Step(
                s.path(),
                b == null ? StepPaths.action(spec.definition(), s.path()).typeName() : b.action(),
                "SKIPPED",
                b == null ? 0 : b.attempts(),
                b != null && b.reattempted(),
                s.reason(),
                null,
                null,
                b == null ? s.at() : b.startedAt(),
                s.at());
        return with(
            replace(step), StepPaths.next(spec.definition(), s.path()), failure, firstError, null);
      } else if (event instanceof Logged) {
        return this;
      } else if (event instanceof RunFinished f) {
        return new Run(
            id,
            spec,
            f.status(),
            steps,
            null,
            failure,
            f.error(),
            null,
            reported,
            createdAt,
            f.at());
      } else if (event instanceof EndReported) {
        return new Run(
            id,
            spec,
            status,
            steps,
            current,
            failure,
            firstError,
            retryAt,
            true,
            createdAt,
            finishedAt);
      }
      throw new IllegalStateException("unexpected event " + event);
    }

    public boolean finished() {
      return status != RunStatus.RUNNING;
    }

    /** The step at {@code path}; null when it has not begun. */
    public Step step(String path) {
      for (Step s : steps) {
        if (s.path().equals(path)) {
          return s;
        }
      }
      return null;
    }

    private List<Step> replace(Step step) {
      List<Step> out = new ArrayList<>(steps);
      for (int i = 0; i < out.size(); i++) {
        if (out.get(i).path().equals(step.path())) {
          out.set(i, step);
          return List.copyOf(out);
        }
      }
      out.add(step);
      return List.copyOf(out);
    }

    private Run with(
        List<Step> steps, String current, String failure, String firstError, Instant retryAt) {
      return new Run(
          id,
          spec,
          status,
          steps,
          current,
          failure,
          firstError,
          retryAt,
          reported,
          createdAt,
          finishedAt);
    }

    public ScenarioRunView view() {
      return new ScenarioRunView(
          id,
          spec.scenario(),
          spec.version(),
          status,
          spec.trigger(),
          spec.explanation(),
          spec.parentRunId(),
          spec.depth(),
          steps,
          finished() ? firstError : null,
          createdAt,
          finishedAt);
    }
  }
}
