package dev.orchestrator.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.FishingOutcomes;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.pattern.StatusReply;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.protocol.component.ComponentCommand;
import dev.orchestrator.protocol.component.ComponentCommand.Get;
import dev.orchestrator.protocol.component.ComponentCommand.Lifecycle;
import dev.orchestrator.protocol.component.ComponentCommand.Register;
import dev.orchestrator.protocol.component.ComponentCommand.Unwatch;
import dev.orchestrator.protocol.component.ComponentCommand.Watch;
import dev.orchestrator.protocol.component.ComponentEvent;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * How a component entity tells of its changes without being asked: watchers hear each journaled
 * change (and the view at once when they start watching) until they unwatch or the watch expires,
 * and a simulated component announces the end of a transition so that its entity polls at once.
 */
class ComponentWatchTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "ComponentWatchTest",
          ConfigFactory.parseString(
                  String.join(
                      "\n",
                      "orchestrator.components.simulated.transition-time = 200ms",
                      "orchestrator.components.simulated.answer-time = 1ms"))
              .withFallback(EventSourcedBehaviorTestKit.config())
              .withFallback(ConfigFactory.load()));

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final AtomicInteger ids = new AtomicInteger();

  private final EventSourcedBehaviorTestKit<ComponentCommand, ComponentEvent, ComponentState>
      entity =
          EventSourcedBehaviorTestKit.create(
              testKit.system(), ComponentEntity.create("watched-" + ids.incrementAndGet()));
  private final TestProbe<Object> probe = testKit.createTestProbe();

  @AfterAll
  static void shutdownTestKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void aWatcherHearsEachChangeUntilItUnwatches() {
    register(Duration.ofMillis(100));
    awaitState(FsmState.STOPPED);
    TestProbe<ComponentView> watcher = testKit.createTestProbe();

    entity.runCommand(new Watch(watcher.getRef(), Duration.ofMinutes(1)));
    assertEquals(FsmState.STOPPED, watcher.receiveMessage(WAIT).state(), "the view at once");
    lifecycle(LifecycleCommand.CMD_INITIALIZED);

    // INITIALIZING first, unless a busy machine delayed the entity's poll past the transition.
    watcher.fishForMessage(
        WAIT,
        view ->
            switch (view.state()) {
              case INITIALIZING -> FishingOutcomes.continueAndIgnore();
              case INITIALIZED -> FishingOutcomes.complete();
              default -> FishingOutcomes.fail("unexpected " + view);
            });

    entity.runCommand(new Unwatch(watcher.getRef()));
    lifecycle(LifecycleCommand.CMD_STOPPED);
    awaitState(FsmState.STOPPED);
    // A watcher hears of a change before the entity answers anything after it.
    watcher.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void anExpiredWatchHearsNothingMore() {
    register(Duration.ofMillis(100));
    awaitState(FsmState.STOPPED);
    TestProbe<ComponentView> watcher = testKit.createTestProbe();

    entity.runCommand(new Watch(watcher.getRef(), Duration.ofMillis(1)));
    assertEquals(FsmState.STOPPED, watcher.receiveMessage(WAIT).state());
    lifecycle(LifecycleCommand.CMD_INITIALIZED);
    awaitState(FsmState.INITIALIZED);

    watcher.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aSimulatedComponentAnnouncesTheEndOfATransitionSoItsEntityNeedNotWaitForItsPoll() {
    // The first poll of a new component comes after its poll interval: an hour here.
    register(Duration.ofHours(1));

    awaitState(FsmState.STOPPED);
  }

  private void register(Duration pollInterval) {
    var registered =
        entity.<StatusReply<ComponentView>>runCommand(
            replyTo ->
                new Register(
                    new ComponentSpec("simulated", null, null, null, pollInterval), replyTo));
    assertTrue(registered.reply().isSuccess(), registered.reply()::toString);
  }

  private void lifecycle(LifecycleCommand command) {
    var reply =
        entity.<StatusReply<ComponentView>>runCommand(
            replyTo -> new Lifecycle(command, 0L, replyTo));
    assertTrue(reply.reply().isSuccess(), reply.reply()::toString);
  }

  private void awaitState(FsmState state) {
    probe.awaitAssert(
        WAIT,
        () -> {
          StatusReply<ComponentView> view =
              entity.<StatusReply<ComponentView>>runCommand(Get::new).reply();
          assertEquals(state, view.getValue().state());
          return null;
        });
  }
}
