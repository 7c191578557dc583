package dev.orchestrator.scenario;

import dev.orchestrator.protocol.JsonSerializable;
import dev.orchestrator.protocol.scenario.RunStatus;
import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Source;
import dev.orchestrator.protocol.scenario.ScenarioEvent;
import dev.orchestrator.protocol.scenario.ScenarioEvent.Acknowledged;
import dev.orchestrator.protocol.scenario.ScenarioEvent.Defined;
import dev.orchestrator.protocol.scenario.ScenarioEvent.EnabledChanged;
import dev.orchestrator.protocol.scenario.ScenarioEvent.RunAdmitted;
import dev.orchestrator.protocol.scenario.ScenarioEvent.RunEnded;
import dev.orchestrator.protocol.scenario.ScenarioRunSpec;
import dev.orchestrator.protocol.scenario.ScenarioView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A scenario entity's state; replaced, never mutated. */
public sealed interface ScenarioState extends JsonSerializable {

  /** How many ended run ids are kept, so that a repeated admission or end changes nothing. */
  int REMEMBERED_RUNS = 256;

  ScenarioState apply(ScenarioEvent event);

  /** Never defined. */
  record Undefined() implements ScenarioState {
    @Override
    public ScenarioState apply(ScenarioEvent event) {
      if (event instanceof Defined d) {
        return new Known(
            d.name(),
            d.definition(),
            d.version(),
            d.source(),
            true,
            Map.of(),
            List.of(),
            0,
            0,
            0,
            0,
            null,
            null,
            null,
            d.at());
      }
      throw new IllegalStateException("a scenario begins with Defined, not " + event);
    }
  }

  /**
   * A defined scenario.
   *
   * @param running the runs under way with their specs, so that they can be started again after a
   *     crash of this entity's node
   * @param ended the latest ended run ids, newest last
   */
  record Known(
      String name,
      Scenario definition,
      long version,
      Source source,
      boolean enabled,
      Map<String, ScenarioRunSpec> running,
      List<String> ended,
      long runs,
      long succeeded,
      long failed,
      long executionsSinceAck,
      Instant lastStartedAt,
      Instant lastEndedAt,
      RunStatus lastResult,
      Instant updatedAt)
      implements ScenarioState {

    @Override
    public ScenarioState apply(ScenarioEvent event) {
      if (event instanceof Defined d) {
        return new Known(
            name,
            d.definition(),
            d.version(),
            d.source(),
            enabled,
            running,
            ended,
            runs,
            succeeded,
            failed,
            executionsSinceAck,
            lastStartedAt,
            lastEndedAt,
            lastResult,
            d.at());
      } else if (event instanceof EnabledChanged e) {
        return new Known(
            name,
            definition,
            version,
            source,
            e.enabled(),
            running,
            ended,
            runs,
            succeeded,
            failed,
            executionsSinceAck,
            lastStartedAt,
            lastEndedAt,
            lastResult,
            e.at());
      } else if (event instanceof Acknowledged a) {
        return new Known(
            name,
            definition,
            version,
            source,
            enabled,
            running,
            ended,
            runs,
            succeeded,
            failed,
            0,
            lastStartedAt,
            lastEndedAt,
            lastResult,
            a.at());
      } else if (event instanceof RunAdmitted a) {
        Map<String, ScenarioRunSpec> now = new LinkedHashMap<>(running);
        now.put(a.runId(), a.spec());
        return new Known(
            name,
            definition,
            version,
            source,
            enabled,
            Map.copyOf(now),
            ended,
            runs + 1,
            succeeded,
            failed,
            executionsSinceAck + 1,
            a.at(),
            lastEndedAt,
            lastResult,
            a.at());
      } else if (event instanceof RunEnded e) {
        return ended(e);
      }
      throw new IllegalStateException("unexpected event " + event);
    }

    private Known ended(RunEnded e) {
      Map<String, ScenarioRunSpec> now = new LinkedHashMap<>(running);
      now.remove(e.runId());
      List<String> done = new ArrayList<>(ended);
      done.add(e.runId());
      if (done.size() > REMEMBERED_RUNS) {
        done.remove(0);
      }
      boolean ok = e.status() == RunStatus.SUCCEEDED;
      boolean bad = e.status() == RunStatus.FAILED || e.status() == RunStatus.TIMED_OUT;
      return new Known(
          name,
          definition,
          version,
          source,
          enabled,
          Map.copyOf(now),
          List.copyOf(done),
          runs,
          succeeded + (ok ? 1 : 0),
          failed + (bad ? 1 : 0),
          executionsSinceAck,
          lastStartedAt,
          e.at(),
          e.status(),
          e.at());
    }

    /** Whether run {@code runId} was admitted, under way or ended. */
    public boolean knows(String runId) {
      return running.containsKey(runId) || ended.contains(runId);
    }

    /** True when {@code max_executions} runs happened since the last acknowledgement. */
    public boolean blocked() {
      return definition.maxExecutions() != null && executionsSinceAck >= definition.maxExecutions();
    }

    /** When the cooldown after the last start ends; null when there is none to wait for. */
    public Instant cooldownUntil(Instant now) {
      if (lastStartedAt == null || definition.cooldown().isZero()) {
        return null;
      }
      Instant until = lastStartedAt.plus(definition.cooldown());
      return until.isAfter(now) ? until : null;
    }

    public ScenarioView view(Instant now) {
      return new ScenarioView(
          name,
          version,
          source,
          enabled,
          blocked(),
          definition,
          List.copyOf(running.keySet()),
          runs,
          succeeded,
          failed,
          executionsSinceAck,
          lastStartedAt,
          lastEndedAt,
          lastResult,
          cooldownUntil(now),
          updatedAt);
    }
  }
}
