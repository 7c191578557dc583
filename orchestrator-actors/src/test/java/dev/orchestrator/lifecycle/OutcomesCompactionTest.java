package dev.orchestrator.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.orchestrator.lifecycle.LifecycleRunState.Empty;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link LifecycleRunEntity#compact}: what the run decides together is journaled as one event per
 * wave, and the state it leads to is the state the single events lead to.
 */
class OutcomesCompactionTest {
  private static final String RUN = "run-1";
  private static final Instant T0 = Instant.parse("2026-11-23T22:00:00Z");
  private static final LifecycleRunSpec SPEC =
      new LifecycleRunSpec(
          "group:line",
          LifecycleCommand.CMD_INITIALIZED,
          "dependencies",
          Duration.ofSeconds(30),
          Duration.ofMinutes(5));

  /** Step 0: a, b, c; step 1: d (depends on c), e. */
  private static final Started STARTED =
      new Started(
          RUN,
          SPEC,
          List.of(List.of("a", "b", "c"), List.of("d", "e")),
          Map.of("d", List.of("c")),
          T0);

  private static Instant at(int ms) {
    return T0.plusMillis(ms);
  }

  private static Sent sent(String id, int ms) {
    return new Sent(
        RUN, id, LifecycleCommand.CMD_INITIALIZED, FsmState.STOPPED, FsmState.INITIALIZED, at(ms));
  }

  private static Reached reached(String id, int ms) {
    return new Reached(RUN, id, FsmState.INITIALIZED, false, at(ms));
  }

  @Test
  void aWaveOfOutcomesBecomesOneEventAndTheRunsOwnEventsStay() {
    List<LifecycleRunEvent> events =
        List.of(
            reached("a", 210),
            reached("b", 211),
            new Failed(RUN, "c", "went to FAULT", at(212)),
            new StepStarted(RUN, 1, at(213)),
            new Skipped(RUN, "d", "its dependency c FAILED", at(213)),
            sent("e", 214));

    List<LifecycleRunEvent> journaled = LifecycleRunEntity.compact(RUN, events);

    assertEquals(3, journaled.size(), journaled.toString());
    Outcomes first = assertInstanceOf(Outcomes.class, journaled.get(0));
    assertEquals(List.of(reached("a", 210), reached("b", 211)), first.reached());
    assertEquals(List.of(new Failed(RUN, "c", "went to FAULT", at(212))), first.failed());
    assertEquals(List.of(), first.sent());
    assertEquals(at(212), first.at());
    assertEquals(new StepStarted(RUN, 1, at(213)), journaled.get(1));
    Outcomes second = assertInstanceOf(Outcomes.class, journaled.get(2));
    assertEquals(
        List.of(new Skipped(RUN, "d", "its dependency c FAILED", at(213))), second.skipped());
    assertEquals(List.of(sent("e", 214)), second.sent());
    LifecycleRunState.Run run = (LifecycleRunState.Run) apply(journaled);
    assertEquals(apply(events), run);
    assertEquals("REACHED", run.outcomes().get("a").status());
    assertEquals("FAILED", run.outcomes().get("c").status());
    assertEquals("SKIPPED", run.outcomes().get("d").status());
    assertEquals("SENT", run.outcomes().get("e").status());
  }

  @Test
  void aComponentNamedTwiceStartsANewEventSoThatOrderHolds() {
    List<LifecycleRunEvent> events =
        List.of(sent("a", 30), sent("b", 31), reached("a", 250), reached("b", 251));

    List<LifecycleRunEvent> journaled = LifecycleRunEntity.compact(RUN, events);

    assertEquals(2, journaled.size(), journaled.toString());
    assertEquals(
        List.of(sent("a", 30), sent("b", 31)),
        assertInstanceOf(Outcomes.class, journaled.get(0)).sent());
    assertEquals(
        List.of(reached("a", 250), reached("b", 251)),
        assertInstanceOf(Outcomes.class, journaled.get(1)).reached());
    assertEquals(apply(events), apply(journaled));
  }

  @Test
  void aLoneOutcomeIsJournaledAsItIs() {
    List<LifecycleRunEvent> events = List.of(reached("a", 210), new StepStarted(RUN, 1, at(211)));

    assertEquals(events, LifecycleRunEntity.compact(RUN, events));
  }

  @Test
  void theStateAfterTheCompactedEventsIsTheStateAfterTheSingleOnes() {
    List<LifecycleRunEvent> events = new ArrayList<>();
    events.add(new StepStarted(RUN, 0, at(1)));
    events.add(sent("a", 30));
    events.add(sent("b", 31));
    events.add(sent("c", 32));
    events.add(reached("a", 230));
    events.add(reached("b", 231));
    events.add(new Failed(RUN, "c", "did not reach INITIALIZED within the step deadline", at(232)));
    events.add(new StepStarted(RUN, 1, at(232)));
    events.add(new Skipped(RUN, "d", "its dependency c FAILED", at(232)));
    events.add(new Reached(RUN, "e", FsmState.INITIALIZED, true, at(233)));
    events.add(new Finished(RUN, "FAILED", at(233)));

    List<LifecycleRunEvent> journaled = LifecycleRunEntity.compact(RUN, events);

    assertEquals(6, journaled.size(), journaled.toString());
    LifecycleRunState expected = apply(events);
    assertEquals(expected, apply(journaled));
    assertEquals("FAILED", ((LifecycleRunState.Run) expected).status());
  }

  private static LifecycleRunState apply(List<LifecycleRunEvent> events) {
    LifecycleRunState state = new Empty().apply(STARTED);
    for (LifecycleRunEvent event : events) {
      state = state.apply(event);
    }
    return state;
  }

  /**
   * {@link LifecycleRunState.Run#applyAll}, which the run uses to build its state after a wave,
   * gives the state the events give one by one: with a component named twice, a wave journaled as
   * {@link Outcomes}, and the run's own events between the waves.
   */
  @Test
  void applyingAWaveAtOnceGivesTheStateOfApplyingItsEventsOneByOne() {
    List<LifecycleRunEvent> events = new ArrayList<>();
    events.add(new StepStarted(RUN, 0, at(1)));
    events.add(sent("a", 30));
    events.add(reached("a", 230));
    events.add(new Outcomes(RUN, List.of(sent("b", 31)), List.of(), List.of(), List.of(), at(31)));
    events.add(new Failed(RUN, "c", "went to FAULT", at(232)));
    events.add(reached("b", 233));
    events.add(new StepStarted(RUN, 1, at(234)));
    events.add(new Skipped(RUN, "d", "its dependency c FAILED", at(234)));
    events.add(reached("e", 430));
    events.add(new Finished(RUN, "FAILED", at(430)));

    LifecycleRunState.Run started = (LifecycleRunState.Run) new Empty().apply(STARTED);
    LifecycleRunState.Run atOnce = started.applyAll(events);

    assertEquals(apply(events), atOnce);
    assertEquals("REACHED", atOnce.outcomes().get("a").status());
    assertEquals(at(30), atOnce.outcomes().get("a").sentAt(), "the send kept under the arrival");
    assertEquals("REACHED", atOnce.outcomes().get("b").status());
    assertEquals("SKIPPED", atOnce.outcomes().get("d").status());
    assertEquals("FAILED", atOnce.status());
    assertEquals(started, started.applyAll(List.of()), "nothing to apply: the same run");
  }
}
