package dev.orchestrator.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.pattern.StatusReply;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.protocol.component.ComponentCommand;
import dev.orchestrator.protocol.component.ComponentCommand.Get;
import dev.orchestrator.protocol.component.ComponentCommand.GetHistory;
import dev.orchestrator.protocol.component.ComponentCommand.Lifecycle;
import dev.orchestrator.protocol.component.ComponentCommand.Register;
import dev.orchestrator.protocol.component.ComponentEvent;
import dev.orchestrator.protocol.component.ComponentEvent.LifecycleRequested;
import dev.orchestrator.protocol.component.ComponentEvent.StaleEpochRefused;
import dev.orchestrator.protocol.component.ComponentHistory;
import dev.orchestrator.protocol.component.ComponentHistory.StaleEpochEntry;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Fencing in the component entity: a lifecycle command whose epoch is older than the highest the
 * component has seen is refused with both epochs named, journaled as StaleEpochRefused, and changes
 * nothing else, also after a restart of the entity.
 */
class ComponentFencingTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "ComponentFencingTest",
          ConfigFactory.parseString("orchestrator.components.simulated.transition-time = 100ms")
              .withFallback(EventSourcedBehaviorTestKit.config())
              .withFallback(ConfigFactory.load()));
  private static final Duration WAIT = Duration.ofSeconds(30);

  private final EventSourcedBehaviorTestKit<ComponentCommand, ComponentEvent, ComponentState>
      entity =
          EventSourcedBehaviorTestKit.create(testKit.system(), ComponentEntity.create("fenced"));

  @AfterAll
  static void shutdownTestKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void aStaleEpochIsRefusedRecordedAndChangesNothingElse() {
    entity.<StatusReply<ComponentView>>runCommand(
        replyTo ->
            new Register(
                new ComponentSpec("simulated", null, null, null, Duration.ofMillis(100)), replyTo));
    awaitState(FsmState.STOPPED);
    var accepted =
        entity.<StatusReply<ComponentView>>runCommand(
            lifecycle(LifecycleCommand.CMD_INITIALIZED, 5L));
    assertTrue(accepted.reply().isSuccess(), accepted.reply()::toString);
    assertEquals(5L, assertInstanceOf(LifecycleRequested.class, accepted.event()).epoch());
    assertEquals(5, view().epoch());
    awaitState(FsmState.INITIALIZED);
    ComponentView before = view();

    var stale =
        entity.<StatusReply<ComponentView>>runCommand(lifecycle(LifecycleCommand.CMD_RUN, 4L));
    assertTrue(stale.reply().isError());
    String reason = stale.reply().getError().getMessage();
    assertTrue(reason.contains("epoch 4") && reason.contains("epoch 5"), reason);
    StaleEpochRefused refused = assertInstanceOf(StaleEpochRefused.class, stale.event());
    assertEquals(List.of(4L, 5L), List.of(refused.epoch(), refused.highestEpoch()));
    ComponentView after = view();
    assertEquals(1, after.staleEpochRefusals());
    assertEquals(before.desiredState(), after.desiredState(), "nothing else changed");
    assertEquals(before.updatedAt(), after.updatedAt(), "nothing else changed");
    assertEquals(5, after.epoch());
    ComponentHistory history =
        entity.<StatusReply<ComponentHistory>>runCommand(GetHistory::new).reply().getValue();
    assertEquals(
        List.of(LifecycleCommand.CMD_RUN),
        history.staleEpochs().stream().map(StaleEpochEntry::command).toList());

    entity.restart();
    var again =
        entity.<StatusReply<ComponentView>>runCommand(lifecycle(LifecycleCommand.CMD_RUN, 3L));
    assertTrue(again.reply().isError(), "the highest epoch survives a restart");
    assertEquals(2, view().staleEpochRefusals());
    awaitState(FsmState.INITIALIZED);

    var fresh =
        entity.<StatusReply<ComponentView>>runCommand(lifecycle(LifecycleCommand.CMD_RUN, 5L));
    assertTrue(fresh.reply().isSuccess(), "the same epoch is not stale: " + fresh.reply());
  }

  private static java.util.function.Function<
          akka.actor.typed.ActorRef<StatusReply<ComponentView>>, ComponentCommand>
      lifecycle(LifecycleCommand command, Long epoch) {
    return replyTo -> new Lifecycle(command, epoch, replyTo);
  }

  private ComponentView view() {
    return entity.<StatusReply<ComponentView>>runCommand(Get::new).reply().getValue();
  }

  private void awaitState(FsmState state) {
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(
        WAIT,
        () -> {
          assertEquals(state, view().state());
          return null;
        });
  }
}
