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
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.protocol.component.ComponentCommand;
import dev.orchestrator.protocol.component.ComponentEvent;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.FsmState;
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

  static Stream<JsonSerializable> messages() {
    return Stream.of(
        SPEC,
        new ComponentSpec("simulated", null, null, null, null),
        new ComponentEvent.Registered("oven-1", SPEC, AT),
        new ComponentEvent.SpecChanged("oven-1", SPEC, AT),
        new ComponentEvent.Deregistered("oven-1", AT),
        new ComponentView("oven-1", SPEC, FsmState.UNKNOWN, null, null, null, AT, AT),
        new ComponentView(
            "oven-1", SPEC, FsmState.ON_ERROR, FsmState.RUN, AT, "overheated", AT, AT));
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
