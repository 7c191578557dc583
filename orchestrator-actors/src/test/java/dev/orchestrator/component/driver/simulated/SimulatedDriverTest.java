package dev.orchestrator.component.driver.simulated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import dev.orchestrator.component.ComponentSettings;
import dev.orchestrator.component.driver.DriverException;
import dev.orchestrator.component.driver.Observation;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
import dev.orchestrator.protocol.component.SimulatedFault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The in-process component on its own: FSM, timing and each fault. */
class SimulatedDriverTest {
  private static final ActorTestKit testKit = ActorTestKit.create("SimulatedDriverTest");
  private static final ComponentSettings.Simulated SETTINGS =
      new ComponentSettings.Simulated(
          Duration.ofMillis(200), Duration.ofMillis(1), 5, Duration.ofMillis(100), true);
  private static final Duration WAIT = Duration.ofSeconds(5);

  @AfterAll
  static void shutdownTestKit() {
    testKit.shutdownTestKit();
  }

  private static SimulatedDriver driver(FsmState initial, SimulatedFault fault) {
    return driver(initial, initial, fault);
  }

  private static SimulatedDriver driver(FsmState initial, FsmState desired, SimulatedFault fault) {
    return new SimulatedDriver(
        "sim",
        testKit.system().scheduler(),
        testKit.system().executionContext(),
        SETTINGS,
        initial,
        desired,
        fault);
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static DriverException failure(CompletionStage<?> stage) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> get(stage));
    return assertInstanceOf(DriverException.class, e.getCause());
  }

  private static void awaitState(SimulatedDriver driver, FsmState state) {
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        WAIT,
        () -> {
          assertEquals(state, driver.state());
          return null;
        });
  }

  @Test
  void refusesACommandWithAnOlderEpochThanItSawAndCountsIt() throws Exception {
    SimulatedDriver driver = driver(FsmState.STOPPED, SimulatedFault.NONE);
    get(driver.poll(3));
    DriverException stale = failure(driver.send(LifecycleCommand.CMD_INITIALIZED, 2));
    assertEquals(DriverException.Kind.REFUSED, stale.kind());
    assertTrue(
        stale.getMessage().contains("2") && stale.getMessage().contains("3"), stale::getMessage);
    assertEquals(FsmState.STOPPED, driver.state(), "a refused command changes nothing");
    assertEquals(1, driver.staleEpochRefusals());
    var health = get(driver.healthCheck(3));
    assertEquals(3, health.path("epoch").asLong());
    assertEquals(1, health.path("stale_epoch_refusals").asLong());

    get(driver.send(LifecycleCommand.CMD_INITIALIZED, 3));
    assertEquals(FsmState.INITIALIZING, driver.state());
    assertEquals(1, driver.staleEpochRefusals());
  }

  @Test
  void startsUnknownAndComesUpStoppedThenFollowsTheFsm() throws Exception {
    SimulatedDriver driver = driver(FsmState.UNKNOWN, SimulatedFault.NONE);
    assertEquals(FsmState.UNKNOWN, driver.state());
    awaitState(driver, FsmState.STOPPED);

    get(driver.send(LifecycleCommand.CMD_INITIALIZED, 0));
    assertEquals(FsmState.INITIALIZING, get(driver.poll(0)).state());
    awaitState(driver, FsmState.INITIALIZED);

    DriverException refused = failure(driver.send(LifecycleCommand.CMD_PAUSE, 0));
    assertEquals(DriverException.Kind.REFUSED, refused.kind());
    assertEquals(FsmState.INITIALIZED, driver.state());
  }

  @Test
  void aCommandStartsItsTransitionOnArrivalAndIsAnsweredAfterTheAnswerTime() throws Exception {
    ComponentSettings.Simulated slowAnswers =
        new ComponentSettings.Simulated(
            Duration.ofMillis(200), Duration.ofMillis(300), 5, Duration.ofSeconds(1), true);
    SimulatedDriver driver =
        new SimulatedDriver(
            "sim",
            testKit.system().scheduler(),
            testKit.system().executionContext(),
            slowAnswers,
            FsmState.STOPPED,
            FsmState.STOPPED,
            SimulatedFault.NONE);
    long start = System.nanoTime();
    CompletionStage<Void> sent = driver.send(LifecycleCommand.CMD_INITIALIZED, 0);
    assertEquals(FsmState.INITIALIZING, driver.state(), "the transition starts on arrival");
    get(sent);
    long answeredAfterMs = (System.nanoTime() - start) / 1_000_000;
    assertTrue(answeredAfterMs >= 300, "answered after " + answeredAfterMs + " ms");

    CompletionStage<Void> refused = driver.send(LifecycleCommand.CMD_PAUSE, 0);
    assertEquals(DriverException.Kind.REFUSED, failure(refused).kind());
  }

  @Test
  void resumesFromTheTargetOfATransitionalState() {
    assertEquals(FsmState.RUN, driver(FsmState.STARTING, SimulatedFault.NONE).state());
    assertEquals(FsmState.PAUSE, driver(FsmState.PAUSE, SimulatedFault.NONE).state());
  }

  @Test
  void carriesOutACommandAcceptedButNotCarriedOutBeforeTheEntityMoved() {
    SimulatedDriver initializing =
        driver(FsmState.STOPPED, FsmState.INITIALIZED, SimulatedFault.NONE);
    assertEquals(FsmState.INITIALIZING, initializing.state());
    awaitState(initializing, FsmState.INITIALIZED);

    SimulatedDriver pausing = driver(FsmState.RUN, FsmState.PAUSE, SimulatedFault.NONE);
    assertEquals(FsmState.PAUSING, pausing.state());
    awaitState(pausing, FsmState.PAUSE);
  }

  @Test
  void aFaultIsNotAcknowledgedByARestartNorAnImpossibleTargetReached() {
    assertEquals(
        FsmState.FAULT, driver(FsmState.FAULT, FsmState.STOPPED, SimulatedFault.NONE).state());
    assertEquals(
        FsmState.STOPPED, driver(FsmState.STOPPED, FsmState.RUN, SimulatedFault.NONE).state());
  }

  @Test
  void unresponsiveTimesOut() {
    SimulatedDriver driver = driver(FsmState.STOPPED, SimulatedFault.UNRESPONSIVE);
    assertEquals(DriverException.Kind.TIMEOUT, failure(driver.poll(0)).kind());
    assertEquals(DriverException.Kind.TIMEOUT, failure(driver.healthCheck(0)).kind());
    assertEquals(
        DriverException.Kind.TIMEOUT,
        failure(driver.send(LifecycleCommand.CMD_INITIALIZED, 0)).kind());
    assertEquals(FsmState.STOPPED, driver.state());
  }

  @Test
  void faultGoesThroughOnErrorToFaultAndAckStopsIt() throws Exception {
    SimulatedDriver driver = driver(FsmState.RUN, SimulatedFault.NONE);
    driver.inject(SimulatedFault.FAULT);
    assertEquals(FsmState.ON_ERROR, driver.state());
    awaitState(driver, FsmState.FAULT);
    Observation seen = get(driver.poll(0));
    assertTrue(seen.error());
    assertEquals("simulated fault injected by an operator", seen.errorMessage());

    get(driver.send(LifecycleCommand.CMD_ACK, 0));
    awaitState(driver, FsmState.STOPPED);
    assertEquals(null, get(driver.poll(0)).errorMessage());
  }

  @Test
  void slowTakesSlowFactorTimesLonger() throws Exception {
    SimulatedDriver driver = driver(FsmState.STOPPED, SimulatedFault.SLOW);
    long start = System.nanoTime();
    get(driver.send(LifecycleCommand.CMD_INITIALIZED, 0));
    awaitState(driver, FsmState.INITIALIZED);
    long elapsedMs = (System.nanoTime() - start) / 1_000_000;
    assertTrue(elapsedMs >= 1000, "200 ms x 5 took " + elapsedMs + " ms");
  }

  @Test
  void flappingPollsAnswerAndFailInTurn() throws Exception {
    SimulatedDriver driver = driver(FsmState.STOPPED, SimulatedFault.FLAPPING);
    List<Boolean> answered = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      CompletionStage<Observation> poll = driver.poll(0);
      try {
        get(poll);
        answered.add(true);
      } catch (ExecutionException e) {
        assertInstanceOf(DriverException.class, e.getCause());
        answered.add(false);
      }
    }
    assertEquals(List.of(false, true, false, true, false, true), answered);
  }

  @Test
  void aClosedDriverAnswersNothing() {
    SimulatedDriver driver = driver(FsmState.STOPPED, SimulatedFault.NONE);
    driver.close();
    assertEquals(DriverException.Kind.UNREACHABLE, failure(driver.poll(0)).kind());
  }
}
