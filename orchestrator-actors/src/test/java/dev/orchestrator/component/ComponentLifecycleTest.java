package dev.orchestrator.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.pattern.StatusReply;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.component.ComponentState.Active;
import dev.orchestrator.protocol.component.BreakerState;
import dev.orchestrator.protocol.component.ComponentCommand;
import dev.orchestrator.protocol.component.ComponentCommand.Get;
import dev.orchestrator.protocol.component.ComponentCommand.GetHistory;
import dev.orchestrator.protocol.component.ComponentCommand.Lifecycle;
import dev.orchestrator.protocol.component.ComponentCommand.Register;
import dev.orchestrator.protocol.component.ComponentCommand.Simulate;
import dev.orchestrator.protocol.component.ComponentEvent;
import dev.orchestrator.protocol.component.ComponentEvent.BreakerClosed;
import dev.orchestrator.protocol.component.ComponentEvent.BreakerHalfOpened;
import dev.orchestrator.protocol.component.ComponentEvent.BreakerOpened;
import dev.orchestrator.protocol.component.ComponentEvent.Faulted;
import dev.orchestrator.protocol.component.ComponentEvent.LifecycleRequested;
import dev.orchestrator.protocol.component.ComponentEvent.Recovered;
import dev.orchestrator.protocol.component.ComponentEvent.StateChanged;
import dev.orchestrator.protocol.component.ComponentEvent.Unreachable;
import dev.orchestrator.protocol.component.ComponentHistory;
import dev.orchestrator.protocol.component.ComponentHistory.StateEntry;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
import dev.orchestrator.protocol.component.SimulatedFault;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle of a component on the simulated driver, with short settings: transitions take 400
 * ms, polls come every 100 ms, unresponsive calls fail after 100 ms, the breaker opens after 5
 * failures and probes after 300 ms (then 600 ms, at most 1 s).
 */
class ComponentLifecycleTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "ComponentLifecycleTest",
          ConfigFactory.parseString(
                  String.join(
                      "\n",
                      "orchestrator.components.history-size = 4",
                      "orchestrator.components.unreachable-after-missed-polls = 3",
                      "orchestrator.components.breaker.failures-to-open = 5",
                      "orchestrator.components.breaker.initial-backoff = 300ms",
                      "orchestrator.components.breaker.max-backoff = 1s",
                      "orchestrator.components.simulated.transition-time = 400ms",
                      "orchestrator.components.simulated.answer-time = 1ms",
                      "orchestrator.components.simulated.slow-factor = 5",
                      "orchestrator.components.simulated.timeout = 100ms"))
              .withFallback(EventSourcedBehaviorTestKit.config())
              .withFallback(ConfigFactory.load()));

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ComponentSpec SIMULATED =
      new ComponentSpec("simulated", null, null, null, Duration.ofMillis(100));
  private static final AtomicInteger ids = new AtomicInteger();

  private String id;
  private EventSourcedBehaviorTestKit<ComponentCommand, ComponentEvent, ComponentState> entity;
  private TestProbe<Object> probe;

  @AfterAll
  static void shutdownTestKit() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void freshEntity() {
    id = "sim-" + ids.incrementAndGet();
    entity = EventSourcedBehaviorTestKit.create(testKit.system(), ComponentEntity.create(id));
    probe = testKit.createTestProbe();
  }

  private ComponentView view() {
    StatusReply<ComponentView> reply =
        entity.<StatusReply<ComponentView>>runCommand(Get::new).reply();
    assertTrue(reply.isSuccess(), reply::toString);
    return reply.getValue();
  }

  private ComponentHistory history() {
    return entity.<StatusReply<ComponentHistory>>runCommand(GetHistory::new).reply().getValue();
  }

  private StatusReply<ComponentView> lifecycle(LifecycleCommand command) {
    return entity
        .<StatusReply<ComponentView>>runCommand(replyTo -> new Lifecycle(command, 0L, replyTo))
        .reply();
  }

  private StatusReply<ComponentView> simulate(SimulatedFault fault) {
    return entity
        .<StatusReply<ComponentView>>runCommand(replyTo -> new Simulate(fault, replyTo))
        .reply();
  }

  private void registerAndAwaitStopped() {
    entity.<StatusReply<ComponentView>>runCommand(replyTo -> new Register(SIMULATED, replyTo));
    awaitState(FsmState.STOPPED);
  }

  private void awaitState(FsmState state) {
    probe.awaitAssert(
        WAIT,
        () -> {
          assertEquals(state, view().state());
          return null;
        });
  }

  private List<Object> journal() {
    return entity.persistenceTestKit().persistedInStorage("Component|" + id);
  }

  private <T> List<T> journaled(Class<T> type) {
    return journal().stream().filter(type::isInstance).map(type::cast).toList();
  }

  @Test
  void aNewComponentStartsUnknownAndComesUpStopped() {
    var registered =
        entity.<StatusReply<ComponentView>>runCommand(replyTo -> new Register(SIMULATED, replyTo));
    assertEquals(FsmState.UNKNOWN, registered.reply().getValue().state());

    awaitState(FsmState.STOPPED);

    ComponentView view = view();
    assertNotNull(view.lastSeen());
    assertFalse(view.unreachable());
    assertEquals(BreakerState.CLOSED, view.breaker());
    assertTrue(view.health().path("healthy").asBoolean(), view.health()::toString);
    assertEquals(
        List.of(FsmState.STOPPED), history().states().stream().map(StateEntry::to).toList());
  }

  @Test
  void anAllowedCommandReachesItsTargetThroughTheTransitionalState() {
    registerAndAwaitStopped();

    StatusReply<ComponentView> accepted = lifecycle(LifecycleCommand.CMD_INITIALIZED);

    assertTrue(accepted.isSuccess(), accepted::toString);
    assertEquals(FsmState.INITIALIZED, accepted.getValue().desiredState());
    LifecycleRequested requested = journaled(LifecycleRequested.class).get(0);
    assertEquals(LifecycleCommand.CMD_INITIALIZED, requested.command());
    assertEquals(FsmState.INITIALIZING, requested.via());
    awaitState(FsmState.INITIALIZED);

    assertTrue(lifecycle(LifecycleCommand.CMD_RUN).isSuccess());
    awaitState(FsmState.RUN);

    List<FsmState> seen = journaled(StateChanged.class).stream().map(StateChanged::to).toList();
    assertEquals(
        List.of(
            FsmState.STOPPED,
            FsmState.INITIALIZING,
            FsmState.INITIALIZED,
            FsmState.STARTING,
            FsmState.RUN),
        seen);
    // The history keeps the last four (history-size = 4).
    assertEquals(
        List.of(FsmState.INITIALIZING, FsmState.INITIALIZED, FsmState.STARTING, FsmState.RUN),
        history().states().stream().map(StateEntry::to).toList());
  }

  @Test
  void aForbiddenCommandIsRefusedWithTheStateAndTheAllowedCommandsAndPersistsNothing() {
    registerAndAwaitStopped();
    ComponentState before = entity.getState();
    int journaled = journal().size();

    var refused =
        entity.<StatusReply<ComponentView>>runCommand(
            replyTo -> new Lifecycle(LifecycleCommand.CMD_RUN, 0L, replyTo));

    assertTrue(refused.hasNoEvents());
    assertTrue(refused.reply().isError());
    assertEquals(
        "component '"
            + id
            + "' is in state STOPPED, where CMD_RUN is not allowed; allowed commands:"
            + " CMD_INITIALIZED",
        refused.reply().getError().getMessage());
    assertEquals(before, refused.state());
    assertEquals(journaled, journal().size());
  }

  @Test
  void unresponsiveGoesUnreachableOpensTheBreakerAndRecoversWhenSetBackToNone() {
    registerAndAwaitStopped();

    assertEquals(
        SimulatedFault.UNRESPONSIVE, simulate(SimulatedFault.UNRESPONSIVE).getValue().fault());

    probe.awaitAssert(
        WAIT,
        () -> {
          ComponentView view = view();
          assertTrue(view.unreachable());
          assertTrue(view.error().startsWith("TIMEOUT"), view.error());
          assertEquals(BreakerState.OPEN, view.breaker());
          return null;
        });
    assertEquals(3, journaled(Unreachable.class).get(0).missedPolls());
    assertEquals(5, journaled(BreakerOpened.class).get(0).failures());
    assertEquals(Duration.ofMillis(300), journaled(BreakerOpened.class).get(0).backoff());
    // While the breaker is open, lifecycle commands are refused.
    var refused = lifecycle(LifecycleCommand.CMD_INITIALIZED);
    assertTrue(refused.isError());
    assertTrue(refused.getError().getMessage().contains("circuit breaker is open"));
    // Failed probes double the backoff, up to the maximum.
    probe.awaitAssert(
        WAIT,
        () -> {
          assertTrue(journaled(BreakerOpened.class).size() >= 3, journal()::toString);
          return null;
        });
    List<Duration> backoffs =
        journaled(BreakerOpened.class).stream().map(BreakerOpened::backoff).toList();
    assertEquals(
        List.of(Duration.ofMillis(300), Duration.ofMillis(600), Duration.ofSeconds(1)),
        backoffs.subList(0, 3));

    simulate(SimulatedFault.NONE);

    probe.awaitAssert(
        WAIT,
        () -> {
          ComponentView view = view();
          assertFalse(view.unreachable());
          assertEquals(BreakerState.CLOSED, view.breaker());
          assertEquals(FsmState.STOPPED, view.state());
          return null;
        });
    List<String> kinds =
        journal().stream()
            .map(e -> e.getClass().getSimpleName())
            .filter(n -> n.startsWith("Breaker") || n.equals("Recovered"))
            .toList();
    assertEquals("BreakerHalfOpened", kinds.get(kinds.size() - 3));
    assertEquals(
        List.of("Recovered", "BreakerClosed"), kinds.subList(kinds.size() - 2, kinds.size()));
    assertEquals(1, journaled(Recovered.class).size());
    assertEquals(1, journaled(BreakerClosed.class).size());
    assertTrue(journaled(BreakerHalfOpened.class).size() >= 3);
  }

  @Test
  void aFaultGoesToFaultAndAckStopsIt() {
    registerAndAwaitStopped();

    simulate(SimulatedFault.FAULT);

    awaitState(FsmState.FAULT);
    assertEquals("simulated fault injected by an operator", view().error());
    assertEquals(
        "simulated fault injected by an operator", journaled(Faulted.class).get(0).error());
    assertFalse(view().health().path("healthy").asBoolean());
    var refused = lifecycle(LifecycleCommand.CMD_INITIALIZED);
    assertTrue(refused.getError().getMessage().endsWith("allowed commands: CMD_ACK"));

    assertTrue(lifecycle(LifecycleCommand.CMD_ACK).isSuccess());

    awaitState(FsmState.STOPPED);
    assertEquals(null, view().error());
    assertTrue(
        journaled(StateChanged.class).stream().anyMatch(e -> e.to() == FsmState.ACK),
        journal()::toString);
  }

  @Test
  void slowTransitionsTakeSlowFactorTimesLonger() {
    registerAndAwaitStopped();
    simulate(SimulatedFault.SLOW);

    lifecycle(LifecycleCommand.CMD_INITIALIZED);

    awaitState(FsmState.INITIALIZED);
    List<StateChanged> changes = journaled(StateChanged.class);
    Instant entered = changes.get(changes.size() - 2).at();
    Instant left = changes.get(changes.size() - 1).at();
    assertEquals(FsmState.INITIALIZING, changes.get(changes.size() - 2).to());
    // 400 ms x 5, less the answer time and a poll interval of slack.
    assertTrue(
        Duration.between(entered, left).compareTo(Duration.ofMillis(1500)) >= 0,
        () -> Duration.between(entered, left).toString());
    assertTrue(view().health().path("slow").asBoolean());
  }

  @Test
  void flappingNeverMissesEnoughPollsInARowToBeUnreachable() {
    // Every second poll fails (SimulatedDriverTest); one in a row is below both thresholds.
    registerAndAwaitStopped();
    simulate(SimulatedFault.FLAPPING);
    Instant flappingSince = Instant.now();

    // About 15 polls, every second one failing.
    probe.expectNoMessage(Duration.ofMillis(1500));

    ComponentView view = view();
    assertFalse(view.unreachable());
    assertEquals(BreakerState.CLOSED, view.breaker());
    assertTrue(view.lastSeen().isAfter(flappingSince), view::toString);
    assertTrue(journaled(Unreachable.class).isEmpty());
    assertTrue(journaled(BreakerOpened.class).isEmpty());
  }

  @Test
  void stateFaultAndBreakerSurviveARestart() {
    registerAndAwaitStopped();
    lifecycle(LifecycleCommand.CMD_INITIALIZED);
    awaitState(FsmState.INITIALIZED);
    simulate(SimulatedFault.UNRESPONSIVE);
    probe.awaitAssert(
        WAIT,
        () -> {
          assertEquals(BreakerState.OPEN, view().breaker());
          return null;
        });
    Active before = (Active) entity.getState();

    Active after = (Active) entity.restart().state();

    assertEquals(FsmState.INITIALIZED, after.state());
    assertEquals(SimulatedFault.UNRESPONSIVE, after.fault());
    assertTrue(after.breaker() == BreakerState.OPEN || after.breaker() == BreakerState.HALF_OPEN);
    assertEquals(before.breakerBackoff() == null, after.breakerBackoff() == null);
    assertTrue(after.unreachable());

    simulate(SimulatedFault.NONE);
    probe.awaitAssert(
        WAIT,
        () -> {
          ComponentView view = view();
          assertEquals(BreakerState.CLOSED, view.breaker());
          assertFalse(view.unreachable());
          // The in-process component resumed where the entity last saw it.
          assertEquals(FsmState.INITIALIZED, view.state());
          return null;
        });
  }

  @Test
  void aComponentThatStopsBeingSimulatedLosesItsFault() {
    registerAndAwaitStopped();
    simulate(SimulatedFault.SLOW);

    var changed =
        entity.<StatusReply<ComponentView>>runCommand(
            replyTo ->
                new Register(
                    new ComponentSpec("http", "http://10.0.0.5:8001", null, null, null), replyTo));

    assertEquals(SimulatedFault.NONE, changed.reply().getValue().fault());
    assertEquals(SimulatedFault.NONE, ((Active) entity.restart().state()).fault());
  }

  @Test
  void faultsCanOnlyBeInjectedIntoSimulatedComponents() {
    entity.<StatusReply<ComponentView>>runCommand(
        replyTo ->
            new Register(
                new ComponentSpec("http", "http://10.0.0.5:8001", null, null, null), replyTo));

    var refused =
        entity.<StatusReply<ComponentView>>runCommand(
            replyTo -> new Simulate(SimulatedFault.FAULT, replyTo));

    assertTrue(refused.hasNoEvents());
    assertEquals(
        "component '"
            + id
            + "' uses the http driver; faults can only be injected into simulated components",
        refused.reply().getError().getMessage());
  }

  @Test
  void lifecycleAndSimulateOfAnUnregisteredComponentAreRefused() {
    var lifecycle =
        entity.<StatusReply<ComponentView>>runCommand(
            replyTo -> new Lifecycle(LifecycleCommand.CMD_RUN, 0L, replyTo));
    var simulate =
        entity.<StatusReply<ComponentView>>runCommand(
            replyTo -> new Simulate(SimulatedFault.NONE, replyTo));

    assertTrue(lifecycle.hasNoEvents());
    assertTrue(simulate.hasNoEvents());
    assertEquals(
        "component '" + id + "' is not registered", lifecycle.reply().getError().getMessage());
    assertEquals(
        "component '" + id + "' is not registered", simulate.reply().getError().getMessage());
    assertInstanceOf(ComponentState.Unregistered.class, entity.getState());
  }
}
