package dev.orchestrator.protocol.scenario;

import akka.actor.typed.ActorRef;
import akka.pattern.StatusReply;
import dev.orchestrator.protocol.JsonSerializable;
import java.time.Instant;

/**
 * Commands to a scenario entity (one per scenario name). Not sealed: the entity's private messages
 * live in {@code orchestrator-actors}.
 */
public interface ScenarioCommand extends JsonSerializable {

  /** Where a definition came from; a file or the API replaces a built-in of the same name. */
  enum Source {
    BUILTIN,
    FILE,
    API
  }

  /** How a run asks to start; each mode checks what it should (see {@code ScenarioEntity}). */
  enum Mode {
    /** The orchestrator's tick found the conditions true. */
    AUTOMATIC,
    /** An event matched the trigger. */
    EVENT,
    /** The cron schedule fired. */
    SCHEDULE,
    /** An operator asked through the API. */
    MANUAL,
    /** Another run's {@code execute_scenario}. */
    NESTED
  }

  /**
   * Stores a new version of the definition (unchanged definitions keep their version). A built-in
   * does not replace a definition from a file or the API.
   */
  record Define(Scenario definition, Source source, ActorRef<StatusReply<ScenarioView>> replyTo)
      implements ScenarioCommand {}

  /** Switches the scenario on or off; runs under way go on. */
  record SetEnabled(boolean enabled, ActorRef<StatusReply<ScenarioView>> replyTo)
      implements ScenarioCommand {}

  /** Lifts the block after {@code max_executions} runs: counting starts again. */
  record Acknowledge(ActorRef<StatusReply<ScenarioView>> replyTo) implements ScenarioCommand {}

  /** The definition and counters. Refused when the scenario is not defined. */
  record Get(ActorRef<StatusReply<ScenarioView>> replyTo) implements ScenarioCommand {}

  /**
   * Asks to start run {@code runId}. The answer says whether it started and, if not, why; asking
   * again for the same run id answers the same without a second run.
   *
   * @param parentRunId the run that asks, for {@link Mode#NESTED}
   * @param chain the scenario names above the run, for {@link Mode#NESTED}
   */
  record Admit(
      String runId,
      Mode mode,
      RunTrigger trigger,
      Explanation explanation,
      String parentRunId,
      java.util.List<String> chain,
      ActorRef<StatusReply<Admission>> replyTo)
      implements ScenarioCommand {}

  /** A run of this scenario ended; answered once it is recorded (again for a repeat). */
  record RunEnded(
      String runId, RunStatus status, Instant at, ActorRef<StatusReply<ScenarioView>> replyTo)
      implements ScenarioCommand {}

  /**
   * The answer to {@link Admit}.
   *
   * @param admitted whether the run started (or had started before)
   * @param reason why it did not, in words an operator can act on; null when it did
   * @param code a stable word for the refusal: {@code unknown}, {@code disabled}, {@code blocked},
   *     {@code cooldown}, {@code concurrency}, {@code cycle}, {@code depth}
   */
  record Admission(String runId, boolean admitted, String code, String reason)
      implements JsonSerializable {}
}
