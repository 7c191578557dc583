package dev.orchestrator.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.pattern.StatusReply;
import akka.persistence.query.NoOffset;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import akka.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import akka.serialization.SerializationExtension;
import akka.serialization.jackson.JacksonJsonSerializer;
import akka.stream.javadsl.Sink;
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.component.ComponentState.Active;
import dev.orchestrator.component.ComponentState.Unregistered;
import dev.orchestrator.protocol.component.ComponentCommand;
import dev.orchestrator.protocol.component.ComponentCommand.Deregister;
import dev.orchestrator.protocol.component.ComponentCommand.Get;
import dev.orchestrator.protocol.component.ComponentCommand.Register;
import dev.orchestrator.protocol.component.ComponentEvent;
import dev.orchestrator.protocol.component.ComponentEvent.Deregistered;
import dev.orchestrator.protocol.component.ComponentEvent.Registered;
import dev.orchestrator.protocol.component.ComponentEvent.SpecChanged;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.FsmState;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ComponentEntityTest {
  // ConfigFactory.load() keeps every reference.conf, the protocol's serialization binding included.
  // Registration is tested here: the components never finish a transition, nor go unreachable,
  // so that polling adds no events (ComponentLifecycleTest covers that).
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "ComponentEntityTest",
          ConfigFactory.parseString(
                  "orchestrator.components.simulated.transition-time = 1h\n"
                      + "orchestrator.components.unreachable-after-missed-polls = 1000000\n"
                      + "orchestrator.components.breaker.failures-to-open = 1000000")
              .withFallback(EventSourcedBehaviorTestKit.config())
              .withFallback(ConfigFactory.load()));

  @AfterAll
  static void shutdownTestKit() {
    testKit.shutdownTestKit();
  }

  private static final AtomicInteger ids = new AtomicInteger();

  private static final ComponentSpec SPEC =
      new ComponentSpec(
          "http", "http://10.0.0.5:8001", List.of("ovens"), List.of("db"), Duration.ofSeconds(2));
  private static final ComponentSpec CHANGED_SPEC =
      new ComponentSpec("http", "http://10.0.0.6:8001", List.of("ovens"), List.of("db"), null);

  private String id;
  private EventSourcedBehaviorTestKit<ComponentCommand, ComponentEvent, ComponentState> entity;

  @BeforeEach
  void freshEntity() {
    id = "oven-" + ids.incrementAndGet();
    entity = testKitFor(id);
  }

  /** Serialization checks of commands, events and state are on by default. */
  private static EventSourcedBehaviorTestKit<ComponentCommand, ComponentEvent, ComponentState>
      testKitFor(String componentId) {
    return EventSourcedBehaviorTestKit.create(
        testKit.system(), ComponentEntity.create(componentId));
  }

  private CommandResultWithReply<
          ComponentCommand, ComponentEvent, ComponentState, StatusReply<ComponentView>>
      register(ComponentSpec spec) {
    return entity.runCommand(replyTo -> new Register(spec, replyTo));
  }

  private CommandResultWithReply<
          ComponentCommand, ComponentEvent, ComponentState, StatusReply<ComponentView>>
      get() {
    return entity.runCommand(Get::new);
  }

  private CommandResultWithReply<
          ComponentCommand, ComponentEvent, ComponentState, StatusReply<Done>>
      deregister() {
    return entity.runCommand(Deregister::new);
  }

  /**
   * The component keeper's wake is answered once the entity has recovered, registered or not (it
   * counts the answers to keep a window of wakes); the wake and its answer serialize.
   */
  @Test
  void aWakeIsAnsweredWhetherOrNotTheComponentIsRegistered() {
    assertEquals(
        Done.getInstance(),
        entity.<Done>runCommand(replyTo -> new ComponentCommand.Wake("test", replyTo)).reply());

    register(SPEC);
    var woken = entity.<Done>runCommand(replyTo -> new ComponentCommand.Wake("test", replyTo));

    assertEquals(Done.getInstance(), woken.reply());
    assertTrue(woken.hasNoEvents(), "a wake changes nothing");
  }

  @Test
  void protocolSerializationBindingIsInEffect() {
    var serialization = SerializationExtension.get(testKit.system().classicSystem());
    assertInstanceOf(
        JacksonJsonSerializer.class, serialization.findSerializerFor(new Unregistered()));
    assertInstanceOf(
        JacksonJsonSerializer.class,
        serialization.findSerializerFor(new Deregistered(id, Instant.now())));
  }

  @Test
  void registerPersistsRegisteredAndRepliesWithTheView() {
    var result = register(SPEC);

    Registered event = result.eventOfType(Registered.class);
    assertEquals(1, result.events().size());
    assertEquals(id, event.id());
    assertEquals(SPEC, event.spec());

    assertTrue(result.reply().isSuccess(), () -> result.reply().toString());
    ComponentView view = result.reply().getValue();
    assertEquals(id, view.id());
    assertEquals(SPEC, view.spec());
    assertEquals(FsmState.UNKNOWN, view.state());
    assertNull(view.desiredState());
    assertNull(view.lastSeen());
    assertNull(view.error());
    assertEquals(event.at(), view.registeredAt());
    assertEquals(event.at(), view.updatedAt());

    assertEquals(view, result.stateOfType(Active.class).view());
  }

  @Test
  void registeringTheSameSpecAgainPersistsNothing() {
    ComponentView first = register(SPEC).reply().getValue();
    ComponentSpec sameButNewInstance =
        new ComponentSpec(
            "http",
            "http://10.0.0.5:8001",
            List.of("ovens"),
            List.of("db"),
            Duration.ofMillis(2000));

    var again = register(sameButNewInstance);

    assertTrue(again.hasNoEvents(), () -> again.events().toString());
    assertTrue(again.reply().isSuccess());
    assertEquals(first, again.reply().getValue());
  }

  @Test
  void aChangedSpecPersistsSpecChanged() {
    ComponentView first = register(SPEC).reply().getValue();

    var changed = register(CHANGED_SPEC);

    SpecChanged event = changed.eventOfType(SpecChanged.class);
    assertEquals(1, changed.events().size());
    assertEquals(id, event.id());
    assertEquals(CHANGED_SPEC, event.spec());
    ComponentView view = changed.reply().getValue();
    assertEquals(CHANGED_SPEC, view.spec());
    assertEquals(first.registeredAt(), view.registeredAt());
    assertEquals(event.at(), view.updatedAt());
    assertEquals(FsmState.UNKNOWN, view.state());
    assertEquals(view, get().reply().getValue());
  }

  @Test
  void anInvalidSpecIsRefusedWithTheReasonAndPersistsNothing() {
    var refused = register(new ComponentSpec("ftp", null, List.of("a", "a"), null, null));

    assertTrue(refused.hasNoEvents());
    assertTrue(refused.reply().isError());
    assertEquals(
        "driver 'ftp' is unknown; use one of http, simulated; groups lists the same entry twice",
        refused.reply().getError().getMessage());
    assertInstanceOf(Unregistered.class, refused.state());
  }

  @Test
  void anInvalidSpecForARegisteredComponentLeavesItAsItWas() {
    ComponentView before = register(SPEC).reply().getValue();

    var refused = register(new ComponentSpec("http", null, null, List.of(id), null));

    assertTrue(refused.hasNoEvents());
    assertEquals(
        "endpoint is required for the http driver, such as http://10.0.0.5:8001;"
            + " dependsOn names the component itself ('"
            + id
            + "')",
        refused.reply().getError().getMessage());
    assertEquals(before, refused.stateOfType(Active.class).view());
  }

  @Test
  void getOfAnUnregisteredComponentIsRefused() {
    var refused = get();

    assertTrue(refused.hasNoEvents());
    assertEquals(
        "component '" + id + "' is not registered", refused.reply().getError().getMessage());
    assertInstanceOf(Unregistered.class, refused.state());
  }

  @Test
  void deregisterOfAnUnregisteredComponentIsRefused() {
    var refused = deregister();

    assertTrue(refused.hasNoEvents());
    assertEquals(
        "component '" + id + "' is not registered", refused.reply().getError().getMessage());
    assertInstanceOf(Unregistered.class, refused.state());
  }

  @Test
  void deregisterPersistsDeregisteredAndThenGetIsRefused() {
    register(SPEC);

    var result = deregister();

    Deregistered event = result.eventOfType(Deregistered.class);
    assertEquals(id, event.id());
    assertEquals(StatusReply.ack(), result.reply());
    assertInstanceOf(Unregistered.class, result.state());

    var refused = get();
    assertTrue(refused.reply().isError());
    assertEquals(
        "component '" + id + "' is not registered", refused.reply().getError().getMessage());
    assertTrue(deregister().reply().isError());
  }

  @Test
  void aDeregisteredComponentCanRegisterAgain() {
    ComponentView first = register(SPEC).reply().getValue();
    deregister();

    var again = register(CHANGED_SPEC);

    Registered event = again.eventOfType(Registered.class);
    assertEquals(CHANGED_SPEC, event.spec());
    assertEquals(event.at(), again.reply().getValue().registeredAt());
    assertFalse(event.at().isBefore(first.registeredAt()));
  }

  @Test
  void aRestartRecoversTheSameState() {
    register(SPEC);
    ComponentState before = register(CHANGED_SPEC).state();

    ComponentState after = entity.restart().state();

    assertEquals(before, after);
    assertEquals(((Active) before).view(), get().reply().getValue());
  }

  @Test
  void aRestartAfterDeregistrationRecoversUnregistered() {
    register(SPEC);
    deregister();

    assertInstanceOf(Unregistered.class, entity.restart().state());
    assertTrue(get().reply().isError());
  }

  @Test
  void aRestartRecoversFromASnapshot() {
    register(SPEC);
    ComponentState last = null;
    for (int i = 1; i < 100; i++) {
      ComponentSpec spec =
          new ComponentSpec("simulated", null, null, null, Duration.ofMillis(100 + i));
      last = register(spec).state();
    }

    var snapshots = entity.snapshotTestKit().orElseThrow().persistedInStorage("Component|" + id);
    assertEquals(1, snapshots.size());
    assertEquals(100L, snapshots.get(0).first().sequenceNr());
    assertEquals(last, snapshots.get(0).second());

    assertEquals(last, entity.restart().state());
  }

  @Test
  void tagIsStableAndOneOfTheComponentTags() {
    assertEquals(4, ComponentEntity.TAGS.size());
    assertTrue(ComponentEntity.TAGS.contains(ComponentEntity.tagFor(id)));
    assertEquals(ComponentEntity.tagFor("oven-1"), ComponentEntity.tagFor("oven-1"));
    Set<String> used =
        IntStream.range(0, 200)
            .mapToObj(i -> ComponentEntity.tagFor("component-" + i))
            .collect(Collectors.toSet());
    assertEquals(Set.copyOf(ComponentEntity.TAGS), used);
  }

  @Test
  void everyEventCarriesTheTagOfItsComponent() throws Exception {
    // One component per tag, so that an entity tagging with a fixed tag cannot pass by luck.
    Map<String, String> componentByTag = new TreeMap<>();
    for (int i = 0; componentByTag.size() < ComponentEntity.TAGS.size(); i++) {
      componentByTag.putIfAbsent(ComponentEntity.tagFor(id + "-" + i), id + "-" + i);
    }
    // Created first: creating an EventSourcedBehaviorTestKit clears the whole in-memory journal.
    List<EventSourcedBehaviorTestKit<ComponentCommand, ComponentEvent, ComponentState>> kits =
        componentByTag.values().stream().map(ComponentEntityTest::testKitFor).toList();
    for (var kit : kits) {
      kit.<StatusReply<ComponentView>>runCommand(replyTo -> new Register(SPEC, replyTo));
      kit.<StatusReply<ComponentView>>runCommand(replyTo -> new Register(CHANGED_SPEC, replyTo));
      kit.<StatusReply<Done>>runCommand(Deregister::new);
    }

    PersistenceTestKitReadJournal journal =
        PersistenceQuery.get(testKit.system().classicSystem())
            .getReadJournalFor(
                PersistenceTestKitReadJournal.class, PersistenceTestKitReadJournal.Identifier());
    for (String tag : ComponentEntity.TAGS) {
      List<String> events =
          journal
              .currentEventsByTag(tag, NoOffset.getInstance())
              .filter(envelope -> envelope.persistenceId().startsWith("Component|" + id + "-"))
              .map(
                  envelope ->
                      envelope.persistenceId() + " " + envelope.event().getClass().getSimpleName())
              .runWith(Sink.seq(), testKit.system())
              .toCompletableFuture()
              .get(5, TimeUnit.SECONDS);
      String pid = "Component|" + componentByTag.get(tag);
      assertEquals(
          List.of(pid + " Registered", pid + " SpecChanged", pid + " Deregistered"), events, tag);
    }
  }
}
