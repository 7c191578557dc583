package dev.orchestrator.scenario;

import dev.orchestrator.protocol.scenario.ScenarioRunCommand;
import dev.orchestrator.scenario.action.ActionResult;

/** The run entity's private messages: timers and action outcomes. Never sent over the wire. */
interface ScenarioRunInternal extends ScenarioRunCommand {

  /** Look at where the run stands and do the next thing. */
  enum Proceed implements ScenarioRunInternal {
    INSTANCE
  }

  /**
   * How attempt {@code attempt} of step {@code path} ended: with a result, skipped by the error
   * guard, or with an error.
   */
  record ActionDone(String path, int attempt, ActionResult result, String skipped, String error)
      implements ScenarioRunInternal {}

  /** Attempt {@code attempt} of step {@code path} ran out of time. */
  record StepTimeout(String path, int attempt) implements ScenarioRunInternal {}

  /** The scenario entity recorded the end (or could not be reached). */
  record EndAcknowledged(boolean ok) implements ScenarioRunInternal {}

  /** Nothing left to do: leave memory. */
  enum Idle implements ScenarioRunInternal {
    INSTANCE
  }
}
