package dev.orchestrator.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.pattern.StatusReply;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializers;
import akka.serialization.jackson.JacksonJsonSerializer;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.protocol.component.BreakerState;
import dev.orchestrator.protocol.component.ComponentCommand;
import dev.orchestrator.protocol.component.ComponentEvent;
import dev.orchestrator.protocol.component.ComponentHistory;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
import dev.orchestrator.protocol.component.SimulatedFault;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent;
import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.protocol.scenario.ScenarioLoader;
import dev.orchestrator.protocol.scenario.ScenarioProblem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The binding in this module's reference.conf reaches every ActorSystem, and it round-trips. */
class SerializationBindingTest {
  // A custom config falls back to reference.conf only, which is where the binding has to live.
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "SerializationBindingTest",
          ConfigFactory.parseString("akka.actor.allow-java-serialization = off"));

  @AfterAll
  static void shutdownTestKit() {
    testKit.shutdownTestKit();
  }

  private static final Instant AT = Instant.parse("2026-11-22T05:00:00.123456789Z");
  private static final ComponentSpec SPEC =
      new ComponentSpec(
          "http",
          "http://10.0.0.5:8001",
          List.of("line-1", "ovens"),
          List.of("db"),
          Duration.ofMillis(250));

  private static final ObjectNode HEALTH =
      JsonNodeFactory.instance.objectNode().put("healthy", true).put("load", 0.5);

  static Stream<JsonSerializable> messages() {
    return Stream.of(
        SPEC,
        new ComponentSpec("simulated", null, null, null, null),
        new ComponentEvent.Registered("oven-1", SPEC, AT),
        new ComponentEvent.SpecChanged("oven-1", SPEC, AT),
        new ComponentEvent.Deregistered("oven-1", AT),
        new ComponentView(
            "oven-1",
            SPEC,
            FsmState.UNKNOWN,
            null,
            null,
            false,
            BreakerState.CLOSED,
            SimulatedFault.NONE,
            null,
            null,
            AT,
            AT,
            0,
            0),
        new ComponentView(
            "oven-1",
            SPEC,
            FsmState.ON_ERROR,
            FsmState.RUN,
            HEALTH,
            true,
            BreakerState.HALF_OPEN,
            SimulatedFault.FLAPPING,
            AT,
            "overheated",
            AT,
            AT,
            7,
            2),
        new ComponentEvent.LifecycleRequested(
            "oven-1", LifecycleCommand.CMD_RUN, FsmState.STARTING, FsmState.RUN, AT, 3L),
        new ComponentEvent.LifecycleRequested(
            "oven-1", LifecycleCommand.CMD_RUN, FsmState.STARTING, FsmState.RUN, AT, null),
        new ComponentEvent.StaleEpochRefused("oven-1", LifecycleCommand.CMD_RUN, 2, 3, AT),
        new ComponentEvent.StateChanged("oven-1", FsmState.RUN, FsmState.FAULT, "hot", AT),
        new ComponentEvent.Faulted("oven-1", "hot", AT),
        new ComponentEvent.HealthChanged("oven-1", HEALTH, AT),
        new ComponentEvent.Unreachable("oven-1", 3, "TIMEOUT: no answer", AT),
        new ComponentEvent.Recovered("oven-1", AT),
        new ComponentEvent.BreakerOpened(
            "oven-1", 5, Duration.ofSeconds(5), AT.plusSeconds(5), "TIMEOUT", AT),
        new ComponentEvent.BreakerHalfOpened("oven-1", AT),
        new ComponentEvent.BreakerClosed("oven-1", AT),
        new ComponentEvent.FaultInjected("oven-1", SimulatedFault.SLOW, AT),
        new ComponentHistory(
            "oven-1",
            List.of(new ComponentHistory.StateEntry(FsmState.UNKNOWN, FsmState.STOPPED, null, AT)),
            List.of(new ComponentHistory.HealthEntry(HEALTH, AT)),
            List.of(new ComponentHistory.StaleEpochEntry(LifecycleCommand.CMD_RUN, 2, 3, AT))),
        new LifecycleRunEvent.Outcomes(
            "run-1",
            List.of(
                new LifecycleRunEvent.Sent(
                    "run-1",
                    "oven-1",
                    LifecycleCommand.CMD_RUN,
                    FsmState.INITIALIZED,
                    FsmState.RUN,
                    AT)),
            List.of(new LifecycleRunEvent.Reached("run-1", "oven-2", FsmState.RUN, true, AT)),
            List.of(new LifecycleRunEvent.Failed("run-1", "oven-3", "went to FAULT", AT)),
            List.of(new LifecycleRunEvent.Skipped("run-1", "oven-4", "its dependency failed", AT)),
            AT),
        scenario("design-example.yaml"),
        scenario("every-kind.yaml"),
        new ScenarioProblem("a.yaml", 7, 1, "colour", "unknown field 'colour'"));
  }

  @ParameterizedTest
  @MethodSource("messages")
  void boundToJacksonJsonAndRoundTrips(JsonSerializable message) {
    assertEquals(message, roundTrip(message));
  }

  @Test
  void commandsWithReplyToRoundTrip() {
    TestProbe<StatusReply<ComponentView>> probe = testKit.createTestProbe();
    ComponentCommand.Register register = new ComponentCommand.Register(SPEC, probe.getRef());
    assertEquals(register, roundTrip(register));
    ComponentCommand.Get get = new ComponentCommand.Get(probe.getRef());
    assertEquals(get, roundTrip(get));
    var lifecycle = new ComponentCommand.Lifecycle(LifecycleCommand.CMD_ACK, 4L, probe.getRef());
    assertEquals(lifecycle, roundTrip(lifecycle));
    var unfenced = new ComponentCommand.Lifecycle(LifecycleCommand.CMD_ACK, null, probe.getRef());
    assertEquals(unfenced, roundTrip(unfenced));
    var simulate = new ComponentCommand.Simulate(SimulatedFault.UNRESPONSIVE, probe.getRef());
    assertEquals(simulate, roundTrip(simulate));
    TestProbe<StatusReply<ComponentHistory>> historyProbe = testKit.createTestProbe();
    var history = new ComponentCommand.GetHistory(historyProbe.getRef());
    assertEquals(history, roundTrip(history));
    TestProbe<ComponentView> watcher = testKit.createTestProbe();
    var watch = new ComponentCommand.Watch(watcher.getRef(), Duration.ofSeconds(30));
    assertEquals(watch, roundTrip(watch));
    var unwatch = new ComponentCommand.Unwatch(watcher.getRef());
    assertEquals(unwatch, roundTrip(unwatch));
  }

  private static Scenario scenario(String resource) {
    try (InputStream in =
        SerializationBindingTest.class.getResourceAsStream("/scenarios/" + resource)) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return ((ScenarioLoader.Loaded) ScenarioLoader.load(resource, text)).scenario();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void eventsJournaledBeforeFencingStillRead() {
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    var requested =
        new ComponentEvent.LifecycleRequested(
            "oven-1", LifecycleCommand.CMD_RUN, FsmState.STARTING, FsmState.RUN, AT, null);
    var serializer = serialization.findSerializerFor(requested);
    String old =
        "{\"id\":\"oven-1\",\"command\":\"CMD_RUN\",\"via\":\"STARTING\","
            + "\"desired\":\"RUN\",\"at\":\""
            + AT
            + "\"}";
    Object read =
        serialization
            .deserialize(
                old.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                serializer.identifier(),
                Serializers.manifestFor(serializer, requested))
            .get();
    assertEquals(requested, read);
  }

  private static Object roundTrip(Object message) {
    Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
    var serializer = serialization.findSerializerFor(message);
    assertInstanceOf(JacksonJsonSerializer.class, serializer, message.getClass().getName());
    byte[] bytes = serialization.serialize(message).get();
    String manifest = Serializers.manifestFor(serializer, message);
    return serialization.deserialize(bytes, serializer.identifier(), manifest).get();
  }
}
