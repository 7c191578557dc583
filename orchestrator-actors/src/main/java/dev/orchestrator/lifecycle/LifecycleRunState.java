package dev.orchestrator.lifecycle;

import dev.orchestrator.protocol.JsonSerializable;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.Failed;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.Finished;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.Outcomes;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.Reached;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.Sent;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.Skipped;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.Started;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.StepStarted;
import dev.orchestrator.protocol.lifecycle.LifecycleRunSpec;
import dev.orchestrator.protocol.lifecycle.LifecycleRunView;
import dev.orchestrator.protocol.lifecycle.LifecycleRunView.Outcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A lifecycle run's state; replaced, never mutated. */
public sealed interface LifecycleRunState extends JsonSerializable {

  LifecycleRunState apply(LifecycleRunEvent event);

  /** The component a component event (sent, reached, failed, skipped) is about; else null. */
  static String componentOf(LifecycleRunEvent event) {
    if (event instanceof Sent s) {
      return s.componentId();
    }
    if (event instanceof Reached r) {
      return r.componentId();
    }
    if (event instanceof Failed f) {
      return f.componentId();
    }
    if (event instanceof Skipped s) {
      return s.componentId();
    }
    return null;
  }

  /** No run has this id yet. */
  record Empty() implements LifecycleRunState {
    @Override
    public LifecycleRunState apply(LifecycleRunEvent event) {
      if (event instanceof Started s) {
        Map<String, Outcome> outcomes = new TreeMap<>();
        s.plan().forEach(step -> step.forEach(id -> outcomes.put(id, pending(id))));
        return new Run(
            s.runId(),
            s.spec(),
            s.plan(),
            s.blockers(),
            List.of(),
            outcomes,
            "RUNNING",
            s.at(),
            null);
      }
      throw new IllegalStateException("a run starts with Started, not " + event);
    }
  }

  /** A run that started; {@code stepStarts} has the start of every step begun so far. */
  record Run(
      String id,
      LifecycleRunSpec spec,
      List<List<String>> plan,
      Map<String, List<String>> blockers,
      List<Instant> stepStarts,
      Map<String, Outcome> outcomes,
      String status,
      Instant startedAt,
      Instant finishedAt)
      implements LifecycleRunState {

    @Override
    public LifecycleRunState apply(LifecycleRunEvent event) {
      if (event instanceof StepStarted s) {
        List<Instant> starts = new ArrayList<>(stepStarts);
        starts.add(s.at());
        return new Run(id, spec, plan, blockers, starts, outcomes, status, startedAt, finishedAt);
      }
      if (event instanceof Outcomes batch) {
        return withOutcomes(batch.entries());
      }
      if (componentOf(event) != null) {
        return withOutcomes(List.of(event));
      }
      if (event instanceof Finished f) {
        return new Run(
            id, spec, plan, blockers, stepStarts, outcomes, f.status(), startedAt, f.at());
      }
      throw new IllegalStateException("run " + id + " cannot apply " + event);
    }

    /**
     * The run after {@code events} in their order, with one copy of the outcome map whatever their
     * number, where applying them one by one would copy it once each: a wave over 10,000 components
     * would copy 10,000 entries 10,000 times.
     */
    Run applyAll(List<LifecycleRunEvent> events) {
      Run run = this;
      List<LifecycleRunEvent> wave = new ArrayList<>();
      for (LifecycleRunEvent event : events) {
        if (event instanceof Outcomes batch) {
          wave.addAll(batch.entries());
        } else if (componentOf(event) != null) {
          wave.add(event);
        } else {
          run = run.withOutcomes(wave);
          wave.clear();
          run = (Run) run.apply(event);
        }
      }
      return run.withOutcomes(wave);
    }

    /** The run after component events (sent, reached, failed, skipped), in their order. */
    private Run withOutcomes(List<LifecycleRunEvent> events) {
      if (events.isEmpty()) {
        return this;
      }
      Map<String, Outcome> next = new TreeMap<>(outcomes);
      for (LifecycleRunEvent event : events) {
        String component = componentOf(event);
        next.put(component, after(next.get(component), event));
      }
      return new Run(id, spec, plan, blockers, stepStarts, next, status, startedAt, finishedAt);
    }

    /** A component's outcome {@code o} after {@code event}, one of the component events. */
    static Outcome after(Outcome o, LifecycleRunEvent event) {
      if (event instanceof Sent s) {
        return new Outcome(
            s.componentId(),
            "SENT",
            s.from().name(),
            s.expected().name(),
            null,
            null,
            s.at(),
            null);
      }
      if (event instanceof Reached r) {
        return new Outcome(
            o.id(),
            "REACHED",
            o.from() != null ? o.from() : r.state().name(),
            r.state().name(),
            r.state().name(),
            r.already() ? "was in " + r.state() + " already" : null,
            o.sentAt(),
            r.at());
      }
      if (event instanceof Failed f) {
        return new Outcome(
            o.id(), "FAILED", o.from(), o.expected(), null, f.reason(), o.sentAt(), f.at());
      }
      Skipped s = (Skipped) event;
      return new Outcome(
          o.id(), "SKIPPED", o.from(), o.expected(), null, s.reason(), o.sentAt(), s.at());
    }

    /** The current step's index; -1 before the first. */
    int step() {
      return stepStarts.size() - 1;
    }

    Instant stepStartedAt() {
      return stepStarts.isEmpty() ? null : stepStarts.get(stepStarts.size() - 1);
    }

    boolean finished() {
      return finishedAt != null;
    }

    /** The ids of the current step; empty before the first and after the last. */
    List<String> current() {
      int step = step();
      return step >= 0 && step < plan.size() ? plan.get(step) : List.of();
    }

    boolean isOpen(String componentId) {
      String s = outcomes.get(componentId).status();
      return s.equals("PENDING") || s.equals("SENT");
    }

    LifecycleRunView view() {
      List<LifecycleRunView.Step> steps = new ArrayList<>();
      for (int i = 0; i < plan.size(); i++) {
        List<Outcome> components = plan.get(i).stream().map(outcomes::get).toList();
        steps.add(
            new LifecycleRunView.Step(
                i, i < stepStarts.size() ? stepStarts.get(i) : null, components));
      }
      return new LifecycleRunView(id, spec, status, steps, startedAt, finishedAt);
    }
  }

  private static Outcome pending(String id) {
    return new Outcome(id, "PENDING", null, null, null, null, null, null);
  }
}
