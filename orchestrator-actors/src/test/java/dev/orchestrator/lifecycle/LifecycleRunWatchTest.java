package dev.orchestrator.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.pattern.StatusReply;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.component.ComponentEntity;
import dev.orchestrator.protocol.component.ComponentCommand;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
import dev.orchestrator.protocol.lifecycle.LifecycleRunCommand;
import dev.orchestrator.protocol.lifecycle.LifecycleRunSpec;
import dev.orchestrator.protocol.lifecycle.LifecycleRunView;
import dev.orchestrator.protocol.lifecycle.LifecycleRunView.Outcome;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A lifecycle run hears of its components' changes from their entities (it watches them), not only
 * by looking at them: here each component can be read once only (a second read never answers), so
 * the run can reach its end only through what the watched entities tell it.
 */
class LifecycleRunWatchTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "LifecycleRunWatchTest",
          ConfigFactory.parseString(
                  String.join(
                      "\n",
                      "orchestrator.components.simulated.transition-time = 300ms",
                      "orchestrator.components.simulated.answer-time = 1ms",
                      // A stack overflow must fail the test, not end the test JVM.
                      "akka.jvm-exit-on-fatal-error = off"))
              .withFallback(EventSourcedBehaviorTestKit.config())
              .withFallback(ConfigFactory.load()));

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final List<String> IDS = List.of("watch-a", "watch-b", "watch-c");

  @AfterAll
  static void shutdownTestKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void aRunLearnsOfItsComponentsStatesFromTheirEntitiesWithoutLookingAgain() {
    OneLookPort port = new OneLookPort(registered(IDS));
    ActorRef<LifecycleRunCommand> run = started("watch-run", IDS, port);

    LifecycleRunView report = awaitSucceeded(run);
    for (Outcome outcome : report.steps().get(0).components()) {
      assertEquals("REACHED", outcome.status(), outcome::toString);
      assertEquals("INITIALIZED", outcome.reached(), outcome::toString);
      assertNotNull(outcome.sentAt(), "the run sent the command: " + outcome);
    }
    assertTrue(port.secondLooks() > 0, "the run did look again, and got no answer");
  }

  @Test
  void awaitEndAnswersWhenTheRunFinishesOrWhenTheWaitIsUp() {
    List<String> ids = List.of("await-a");
    ActorRef<LifecycleRunCommand> run = started("await-run", ids, new OneLookPort(registered(ids)));

    // The transition takes 300 ms: a wait of 1 ms is answered with the run still under way.
    StatusReply<LifecycleRunView> early = ask(run, r -> new AwaitEnd(Duration.ofMillis(1), r));
    assertEquals("RUNNING", early.getValue().status(), early::toString);
    // A long wait is answered when the run finishes, not when the wait is up.
    StatusReply<LifecycleRunView> end = ask(run, r -> new AwaitEnd(Duration.ofHours(1), r));
    assertEquals("SUCCEEDED", end.getValue().status(), end::toString);
    // A finished run answers at once; a run that does not exist refuses.
    StatusReply<LifecycleRunView> again = ask(run, r -> new AwaitEnd(Duration.ofHours(1), r));
    assertEquals("SUCCEEDED", again.getValue().status(), again::toString);
    ActorRef<LifecycleRunCommand> none =
        testKit.spawn(
            LifecycleRunEntity.create(
                "no-such-run",
                testKit.<ClusterSharding.ShardCommand>createTestProbe().getRef(),
                new OneLookPort(Map.of())));
    StatusReply<LifecycleRunView> refused = ask(none, r -> new AwaitEnd(Duration.ofHours(1), r));
    assertTrue(refused.isError(), refused::toString);
  }

  /**
   * Thousands of watched components' views arriving while the run persists: Akka 2.8 takes the
   * stashed commands that persist nothing one inside the other and overflows the stack (fatal: the
   * node's JVM exits) past about a thousand, so they must reach the run in batches. Here "a" has
   * already reached the target (the run persists that) while sending to "b" floods the run's
   * watcher with 4,000 views, all of them in its mailbox before that write ends.
   */
  @Test
  void thousandsOfViewsArrivingWhileTheRunPersistsReachItWithoutOverflowingTheStack() {
    FloodPort port = new FloodPort(4_000);
    ActorRef<LifecycleRunCommand> run = started("flood-run", List.of("a", "b"), port);

    LifecycleRunView report = awaitSucceeded(run);
    assertEquals(4_000, port.flooded(), "the flood was sent");
    for (Outcome outcome : report.steps().get(0).components()) {
      assertEquals("REACHED", outcome.status(), outcome::toString);
    }
    // The run and the system still answer after the flood.
    assertEquals("SUCCEEDED", ask(run, LifecycleRunCommand.Get::new).getValue().status());
  }

  /** Simulated components {@code ids}, registered, in STOPPED. */
  private static Map<String, ActorRef<ComponentCommand>> registered(List<String> ids) {
    Map<String, ActorRef<ComponentCommand>> entities = new ConcurrentHashMap<>();
    for (String id : ids) {
      entities.put(id, testKit.spawn(ComponentEntity.create(id), id));
      StatusReply<ComponentView> registered =
          ask(
              entities.get(id),
              replyTo ->
                  new ComponentCommand.Register(
                      new ComponentSpec("simulated", null, null, null, Duration.ofMillis(100)),
                      replyTo));
      assertTrue(registered.isSuccess(), registered::toString);
    }
    ids.forEach(id -> awaitState(entities.get(id), FsmState.STOPPED));
    return entities;
  }

  /** Run {@code runId}: CMD_INITIALIZED to {@code ids} in one step, started. */
  private static ActorRef<LifecycleRunCommand> started(
      String runId, List<String> ids, ComponentPort port) {
    TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    ActorRef<LifecycleRunCommand> run =
        testKit.spawn(LifecycleRunEntity.create(runId, shard.getRef(), port));
    LifecycleRunSpec spec =
        new LifecycleRunSpec(
            "group:watched",
            LifecycleCommand.CMD_INITIALIZED,
            "none",
            Duration.ofMinutes(2),
            Duration.ofMinutes(3));
    StatusReply<LifecycleRunView> started =
        ask(run, replyTo -> new LifecycleRunCommand.Start(spec, List.of(ids), Map.of(), replyTo));
    assertTrue(started.isSuccess(), started::toString);
    return run;
  }

  private static LifecycleRunView awaitSucceeded(ActorRef<LifecycleRunCommand> run) {
    return testKit
        .createTestProbe()
        .awaitAssert(
            WAIT,
            () -> {
              LifecycleRunView view = ask(run, LifecycleRunCommand.Get::new).getValue();
              assertEquals("SUCCEEDED", view.status(), view::toString);
              return view;
            });
  }

  private static void awaitState(ActorRef<ComponentCommand> entity, FsmState state) {
    testKit
        .createTestProbe()
        .awaitAssert(
            WAIT,
            () -> {
              assertEquals(state, ask(entity, ComponentCommand.Get::new).getValue().state());
              return null;
            });
  }

  private static <C, T> StatusReply<T> ask(
      ActorRef<C> to, akka.japi.function.Function<ActorRef<StatusReply<T>>, C> message) {
    try {
      return AskPattern.ask(to, message, WAIT, testKit.system().scheduler())
          .toCompletableFuture()
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("no answer from " + to, e);
    }
  }

  /**
   * Components "a" (in INITIALIZED already) and "b" (in STOPPED until it is sent CMD_INITIALIZED)
   * without entities; sending to "b" first tells the watcher {@code flood} views of "b".
   */
  private static final class FloodPort implements ComponentPort {
    private final int flood;
    private final Map<String, FsmState> states =
        new ConcurrentHashMap<>(Map.of("a", FsmState.INITIALIZED, "b", FsmState.STOPPED));
    private volatile ActorRef<ComponentView> watcher;
    private volatile int flooded;

    FloodPort(int flood) {
      this.flood = flood;
    }

    int flooded() {
      return flooded;
    }

    private ComponentView view(String id, FsmState state) {
      return new ComponentView(
          id, null, state, null, null, false, null, null, null, null, null, null, 0, 0);
    }

    @Override
    public CompletionStage<ComponentView> view(String componentId) {
      return CompletableFuture.completedFuture(view(componentId, states.get(componentId)));
    }

    @Override
    public CompletionStage<ComponentView> lifecycle(String componentId, LifecycleCommand command) {
      ComponentView before = view(componentId, states.get(componentId));
      states.put(componentId, FsmState.INITIALIZED);
      ComponentView after = view(componentId, FsmState.INITIALIZED);
      ActorRef<ComponentView> to = watcher;
      if (to != null && componentId.equals("b")) {
        for (int i = 0; i < flood; i++) {
          to.tell(after);
        }
        flooded = flood;
      }
      return CompletableFuture.completedFuture(before);
    }

    @Override
    public void watch(String componentId, ActorRef<ComponentView> watcher, Duration duration) {
      this.watcher = watcher;
    }

    @Override
    public void unwatch(String componentId, ActorRef<ComponentView> watcher) {}
  }

  /**
   * The components' entities without sharding, where each component answers one read only: a second
   * read never completes (so a run that waits for reads waits for ever).
   */
  private static final class OneLookPort implements ComponentPort {
    private final Map<String, ActorRef<ComponentCommand>> entities;
    private final Set<String> read = ConcurrentHashMap.newKeySet();
    private final Set<String> again = ConcurrentHashMap.newKeySet();

    OneLookPort(Map<String, ActorRef<ComponentCommand>> entities) {
      this.entities = entities;
    }

    int secondLooks() {
      return again.size();
    }

    @Override
    public CompletionStage<ComponentView> view(String componentId) {
      if (!read.add(componentId)) {
        again.add(componentId);
        return new CompletableFuture<>();
      }
      return AskPattern.askWithStatus(
          entities.get(componentId), ComponentCommand.Get::new, WAIT, testKit.system().scheduler());
    }

    @Override
    public CompletionStage<ComponentView> lifecycle(String componentId, LifecycleCommand command) {
      return AskPattern.askWithStatus(
          entities.get(componentId),
          replyTo -> new ComponentCommand.Lifecycle(command, null, replyTo),
          WAIT,
          testKit.system().scheduler());
    }

    @Override
    public void watch(String componentId, ActorRef<ComponentView> watcher, Duration duration) {
      entities.get(componentId).tell(new ComponentCommand.Watch(watcher, duration));
    }

    @Override
    public void unwatch(String componentId, ActorRef<ComponentView> watcher) {
      entities.get(componentId).tell(new ComponentCommand.Unwatch(watcher));
    }
  }
}
