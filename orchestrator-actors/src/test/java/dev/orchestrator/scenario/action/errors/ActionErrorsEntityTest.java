package dev.orchestrator.scenario.action.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import akka.serialization.jackson.JacksonJsonSerializer;
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.scenario.action.ActionSettings;
import dev.orchestrator.scenario.action.errors.ActionErrorsEntity.Allowed;
import dev.orchestrator.scenario.action.errors.ActionErrorsEntity.Check;
import dev.orchestrator.scenario.action.errors.ActionErrorsEntity.Command;
import dev.orchestrator.scenario.action.errors.ActionErrorsEntity.ErrorRecorded;
import dev.orchestrator.scenario.action.errors.ActionErrorsEntity.Event;
import dev.orchestrator.scenario.action.errors.ActionErrorsEntity.Record;
import dev.orchestrator.scenario.action.errors.ActionErrorsEntity.Skip;
import dev.orchestrator.scenario.action.errors.ActionErrorsEntity.State;
import dev.orchestrator.scenario.action.errors.ActionErrorsEntity.SuccessRecorded;
import dev.orchestrator.scenario.action.errors.ActionErrorsEntity.TrialAllowed;
import dev.orchestrator.scenario.action.errors.ActionErrorsEntity.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The error counter's policy, with a clock the test moves: threshold, skip, half-open trial, reset,
 * the switch-off, and the count surviving a restart (recovery from the journal).
 */
class ActionErrorsEntityTest {
  // ConfigFactory.load() keeps every reference.conf, the protocol's serialization binding included.
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "ActionErrorsEntityTest",
          EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  private static final Duration PERIOD = Duration.ofMinutes(5);
  private static final ActionSettings THREE =
      new ActionSettings(5, 3, PERIOD, Duration.ofSeconds(1), Duration.ofMillis(100));

  @AfterAll
  static void shutdownTestKit() {
    testKit.shutdownTestKit();
  }

  /** A clock that stands still until the test moves it. */
  static final class TestClock extends Clock {
    private Instant now = Instant.parse("2026-03-01T12:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private TestClock clock;
  private EventSourcedBehaviorTestKit<Command, Event, State> entity;

  @BeforeEach
  void fresh() {
    clock = new TestClock();
    entity = entity(THREE);
  }

  private EventSourcedBehaviorTestKit<Command, Event, State> entity(ActionSettings settings) {
    return EventSourcedBehaviorTestKit.create(
        testKit.system(), ActionErrorsEntity.create("send_email", settings, clock));
  }

  private Verdict check() {
    return entity.<Verdict>runCommand(Check::new).reply();
  }

  private void fail(String error) {
    entity.runCommand(new Record(false, error));
  }

  @Test
  void allowsBelowTheThresholdAndSkipsFromItOn() {
    fail("smtp down");
    fail("smtp down");
    assertInstanceOf(Allowed.class, check());
    fail("smtp still down");
    Verdict verdict = check();
    Skip skip = assertInstanceOf(Skip.class, verdict);
    assertTrue(skip.reason().contains("send_email"), skip.reason());
    assertTrue(skip.reason().contains("3 attempts in a row failed"), skip.reason());
    assertTrue(skip.reason().contains("smtp still down"), skip.reason());
    assertTrue(skip.reason().contains("2026-03-01T12:05:00Z"), skip.reason());
    clock.advance(PERIOD.minusSeconds(1));
    assertInstanceOf(Skip.class, check());
  }

  @Test
  void afterThePeriodOneAttemptIsLetThroughAndItsFailureSkipsAgain() {
    fail("a");
    fail("b");
    fail("c");
    clock.advance(PERIOD);
    var trial = entity.<Verdict>runCommand(Check::new);
    assertInstanceOf(Allowed.class, trial.reply());
    assertInstanceOf(TrialAllowed.class, trial.event());
    // While the trial runs, the others are still skipped.
    assertInstanceOf(Skip.class, check());
    clock.advance(Duration.ofSeconds(10));
    fail("d");
    Skip skip = assertInstanceOf(Skip.class, check());
    assertTrue(skip.reason().contains("4 attempts in a row failed"), skip.reason());
    clock.advance(PERIOD.minusSeconds(1));
    assertInstanceOf(Skip.class, check());
    clock.advance(Duration.ofSeconds(1));
    assertInstanceOf(Allowed.class, check());
  }

  @Test
  void aTrialThatNeverReportsBackIsFollowedByAnotherAfterAPeriod() {
    fail("a");
    fail("b");
    fail("c");
    clock.advance(PERIOD);
    assertInstanceOf(Allowed.class, check());
    clock.advance(PERIOD.minusSeconds(1));
    assertInstanceOf(Skip.class, check());
    clock.advance(Duration.ofSeconds(1));
    assertInstanceOf(Allowed.class, check());
  }

  @Test
  void aSuccessResetsTheCount() {
    fail("a");
    fail("b");
    fail("c");
    clock.advance(PERIOD);
    assertInstanceOf(Allowed.class, check());
    var success = entity.runCommand(new Record(true, null));
    assertInstanceOf(SuccessRecorded.class, success.event());
    assertEquals(0, success.state().failures());
    assertInstanceOf(Allowed.class, check());
    fail("a");
    fail("b");
    assertInstanceOf(Allowed.class, check());
  }

  @Test
  void successesAndChecksAtZeroPersistNothing() {
    var success = entity.runCommand(new Record(true, null));
    assertTrue(success.hasNoEvents());
    var checked = entity.<Verdict>runCommand(Check::new);
    assertTrue(checked.hasNoEvents());
    assertInstanceOf(Allowed.class, checked.reply());
  }

  @Test
  void theCountSurvivesARestart() {
    fail("a");
    fail("b");
    fail("c");
    entity.restart();
    assertEquals(3, entity.getState().failures());
    assertInstanceOf(Skip.class, check());
    clock.advance(PERIOD);
    assertInstanceOf(Allowed.class, check());
    entity.restart();
    // The trial was journaled: the next one waits another period.
    assertInstanceOf(Skip.class, check());
  }

  @Test
  void zeroSwitchesTheCountersOff() {
    entity =
        entity(new ActionSettings(5, 0, PERIOD, Duration.ofSeconds(1), Duration.ofMillis(100)));
    for (String error : List.of("a", "b", "c", "d", "e", "f")) {
      fail(error);
    }
    assertInstanceOf(Allowed.class, check());
  }

  @Test
  void verdictsSurviveSerialization() {
    // Replies cross the network when a run on another node asks; the testkit checks only
    // commands, events and state.
    for (Verdict verdict : List.of(new Allowed(), new Skip("because"))) {
      Serialization serialization = SerializationExtension.get(testKit.system());
      byte[] bytes = serialization.serialize(verdict).get();
      Serializer serializer = serialization.findSerializerFor(verdict);
      assertInstanceOf(JacksonJsonSerializer.class, serializer);
      String manifest = Serializers.manifestFor(serializer, verdict);
      assertEquals(
          verdict, serialization.deserialize(bytes, serializer.identifier(), manifest).get());
    }
  }

  @Test
  void longErrorsAreCut() {
    var failed = entity.runCommand(new Record(false, "x".repeat(5000)));
    ErrorRecorded recorded = assertInstanceOf(ErrorRecorded.class, failed.event());
    assertEquals(ActionErrorsEntity.MAX_ERROR + 1, recorded.error().length());
  }
}
