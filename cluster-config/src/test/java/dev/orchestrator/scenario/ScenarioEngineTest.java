package dev.orchestrator.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.pattern.StatusReply;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.TestNodes;
import dev.orchestrator.protocol.scenario.RunStatus;
import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.protocol.scenario.ScenarioCommand;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Admission;
import dev.orchestrator.protocol.scenario.ScenarioLoader;
import dev.orchestrator.protocol.scenario.ScenarioRunCommand;
import dev.orchestrator.protocol.scenario.ScenarioRunView;
import dev.orchestrator.protocol.scenario.ScenarioView;
import dev.orchestrator.singleton.Orchestrator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine on one dev node, driven through its actors: manual runs of scenarios with log_event
 * steps, retries, on_failure, templates, cancel, the per-scenario limits and acknowledgement.
 */
class ScenarioEngineTest {
  private static final Duration WITHIN = Duration.ofSeconds(60);
  private static final Duration ASK = Duration.ofSeconds(10);

  private static Node node;
  private static ActorSystem<?> system;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.startReadyDev("scenario-engine-");
    system = node.services().system();
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      TestNodes.stop(node);
    }
  }

  static Scenario yaml(String text) {
    ScenarioLoader.Result result = ScenarioLoader.load("test.yaml", text);
    assertTrue(result instanceof ScenarioLoader.Loaded, () -> result.toString());
    return ((ScenarioLoader.Loaded) result).scenario();
  }

  static ScenarioView define(Scenario scenario) throws Exception {
    return ClusterSharding.get(system)
        .entityRefFor(ScenarioKeys.SCENARIO, scenario.name())
        .<ScenarioView>askWithStatus(
            r -> new ScenarioCommand.Define(scenario, ScenarioCommand.Source.API, r), ASK)
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
  }

  static Admission runManually(String name, boolean force) throws Exception {
    return askOrchestrator(r -> new Orchestrator.RunManually(name, "tester", null, force, null, r));
  }

  /** Asks the orchestrator singleton; the answer's value (an error answer throws). */
  static <T> T askOrchestrator(Function<ActorRef<StatusReply<T>>, Orchestrator.Command> message)
      throws Exception {
    return AskPattern.<Orchestrator.Command, StatusReply<T>>ask(
            node.services().orchestrator(), message::apply, ASK, system.scheduler())
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS)
        .getValue();
  }

  static ScenarioRunView run(String runId) throws Exception {
    return ClusterSharding.get(system)
        .entityRefFor(ScenarioKeys.RUN, runId)
        .<ScenarioRunView>askWithStatus(ScenarioRunCommand.Get::new, ASK)
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
  }

  static ScenarioRunView awaitEnd(String runId) {
    AtomicReference<ScenarioRunView> last = new AtomicReference<>();
    Await.until(
        WITHIN,
        () -> {
          last.set(run(runId));
          assertFalse(last.get().status() == RunStatus.RUNNING, () -> "still running: " + last);
        });
    return last.get();
  }

  static ScenarioView scenario(String name) throws Exception {
    return ClusterSharding.get(system)
        .entityRefFor(ScenarioKeys.SCENARIO, name)
        .<ScenarioView>askWithStatus(ScenarioCommand.Get::new, ASK)
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
  }

  @Test
  void manualRunLogsWithTemplatesAndSucceeds() throws Exception {
    define(
        yaml(
            """
            name: hello
            trigger: { type: manual }
            actions:
              - { type: log_event, message: "hello from {{ trigger.source }} in {{ scenario.name }}" }
              - { type: log_event, level: warning, message: "run {{ run.id }} {{ trigger.data.x }}" }
            """));
    Admission admission = runManually("hello", false);
    assertTrue(admission.admitted(), admission::toString);
    ScenarioRunView view = awaitEnd(admission.runId());
    assertEquals(RunStatus.SUCCEEDED, view.status());
    assertEquals(2, view.steps().size());
    assertEquals("hello from tester in hello", view.steps().get(0).detail());
    assertEquals("run " + admission.runId() + " ", view.steps().get(1).detail());
    assertEquals("manual", view.trigger().type());
    Await.until(WITHIN, () -> assertEquals(1, scenario("hello").succeeded()));
  }

  @Test
  void failingStepIsRetriedThenItsOnFailureRunsAndTheRunFails() throws Exception {
    define(
        yaml(
            """
            name: failing
            trigger: { type: manual }
            actions:
              - { type: log_event, message: "first" }
              - type: webhook
                endpoint: nowhere
                retry: { attempts: 2, backoff: 100ms }
                on_failure:
                  - { type: log_event, level: error, message: "handled: {{ failure.message }}" }
              - { type: log_event, message: "never" }
            """));
    Admission admission = runManually("failing", false);
    ScenarioRunView view = awaitEnd(admission.runId());
    assertEquals(RunStatus.FAILED, view.status());
    List<String> paths = view.steps().stream().map(ScenarioRunView.Step::path).toList();
    assertEquals(List.of("actions[0]", "actions[1]", "actions[1].on_failure[0]"), paths);
    ScenarioRunView.Step webhook = view.steps().get(1);
    assertEquals("FAILED", webhook.status());
    assertEquals(3, webhook.attempts());
    assertTrue(
        view.steps().get(2).detail().startsWith("handled: " + webhook.error()),
        () -> view.steps().get(2).detail());
    assertTrue(view.error().startsWith("actions[1]: "), view::error);
    Await.until(WITHIN, () -> assertEquals(1, scenario("failing").failed()));
  }

  @Test
  void limitsHoldRunsBackUntilAcknowledged() throws Exception {
    define(
        yaml(
            """
            name: limited
            trigger: { type: manual }
            max_executions: 2
            actions:
              - { type: log_event, message: "once" }
            """));
    for (int i = 0; i < 2; i++) {
      Admission a = runManually("limited", false);
      assertTrue(a.admitted(), a::toString);
      awaitEnd(a.runId());
      // The run tells its scenario that it ended a moment after it ended: until then the scenario
      // still counts it under way (max_concurrent_executions 1) and would refuse the next one.
      Await.until(
          WITHIN, () -> assertTrue(scenario("limited").running().isEmpty(), "still under way"));
    }
    Admission blocked = runManually("limited", false);
    assertFalse(blocked.admitted());
    assertEquals("blocked", blocked.code());
    assertTrue(scenario("limited").blocked());
    ClusterSharding.get(system)
        .entityRefFor(ScenarioKeys.SCENARIO, "limited")
        .<ScenarioView>askWithStatus(ScenarioCommand.Acknowledge::new, ASK)
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
    assertTrue(runManually("limited", false).admitted());
  }

  @Test
  void unknownAndDisabledScenariosAreRefusedWithAReason() throws Exception {
    Admission unknown = runManually("no_such_scenario", false);
    assertFalse(unknown.admitted());
    assertEquals("unknown", unknown.code());
    define(
        yaml(
            """
            name: switched_off
            trigger: { type: manual }
            actions:
              - { type: log_event, message: "x" }
            """));
    ClusterSharding.get(system)
        .entityRefFor(ScenarioKeys.SCENARIO, "switched_off")
        .<ScenarioView>askWithStatus(r -> new ScenarioCommand.SetEnabled(false, r), ASK)
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
    Admission disabled = runManually("switched_off", false);
    assertFalse(disabled.admitted());
    assertEquals("disabled", disabled.code());
    assertTrue(disabled.reason().contains("disabled"), disabled::reason);
  }

  @Test
  void aRunningRunCanBeCancelledAndThenNotAgain() throws Exception {
    define(
        yaml(
            """
            name: slow
            trigger: { type: manual }
            actions:
              - { type: wait_for_state, target: "nobody-here", state: RUN, timeout: 1h }
            """));
    Admission a = runManually("slow", false);
    ScenarioRunView cancelled =
        ClusterSharding.get(system)
            .entityRefFor(ScenarioKeys.RUN, a.runId())
            .<ScenarioRunView>askWithStatus(r -> new ScenarioRunCommand.Cancel("test", r), ASK)
            .toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
    assertEquals(RunStatus.CANCELLED, cancelled.status());
    assertEquals("cancelled: test", cancelled.error());
    Await.until(WITHIN, () -> assertTrue(scenario("slow").running().isEmpty()));
  }

  @Test
  void aNestedRunRunsAndItsParentWaitsForIt() throws Exception {
    define(
        yaml(
            """
            name: child
            trigger: { type: manual }
            actions:
              - { type: log_event, message: "child of {{ trigger.source }}" }
            """));
    define(
        yaml(
            """
            name: parent
            trigger: { type: manual }
            actions:
              - { type: execute_scenario, name: child }
              - { type: log_event, message: "after the child" }
            """));
    Admission a = runManually("parent", false);
    ScenarioRunView parent = awaitEnd(a.runId());
    assertEquals(RunStatus.SUCCEEDED, parent.status(), parent::toString);
    ScenarioView child = scenario("child");
    assertEquals(1, child.runs());
    assertEquals(1, child.succeeded());
  }

  @Test
  void nestedRunsThatWouldCycleAreRefused() throws Exception {
    define(
        yaml(
            """
            name: ping
            trigger: { type: manual }
            actions:
              - { type: execute_scenario, name: pong }
            """));
    define(
        yaml(
            """
            name: pong
            trigger: { type: manual }
            actions:
              - { type: execute_scenario, name: ping }
            """));
    ScenarioRunView ping = awaitEnd(runManually("ping", false).runId());
    assertEquals(RunStatus.FAILED, ping.status(), ping::toString);
    assertTrue(ping.error().contains("ping -> pong -> ping"), ping::error);
    assertEquals(1, scenario("pong").runs(), "pong ran once, and refused to run ping again");
  }

  @Test
  void anActionTypeThatKeepsFailingIsSkippedAndTheRunGoesOn() throws Exception {
    define(
        yaml(
            """
            name: sms_storm
            trigger: { type: manual }
            actions:
              - type: send_sms
                to: ["+48123456789"]
                message: "no gateway is configured"
                retry: { attempts: 4 }
            """));
    ScenarioRunView first = awaitEnd(runManually("sms_storm", false).runId());
    assertEquals(RunStatus.FAILED, first.status(), first::toString);
    assertEquals(5, first.steps().get(0).attempts());
    define(
        yaml(
            """
            name: sms_after_storm
            trigger: { type: manual }
            actions:
              - { type: send_sms, to: ["+48123456789"], message: "skipped now" }
              - { type: log_event, message: "went on" }
            """));
    ScenarioRunView second = awaitEnd(runManually("sms_after_storm", false).runId());
    assertEquals(RunStatus.SUCCEEDED, second.status(), second::toString);
    assertEquals("SKIPPED", second.steps().get(0).status(), second::toString);
    assertTrue(second.steps().get(0).detail().contains("send_sms"), second::toString);
    assertEquals("went on", second.steps().get(1).detail());
  }

  /**
   * The gateway asks the singleton again when a try is not answered in time (SingletonAsk): an
   * event or a manual run sent twice with the same id is answered alike and runs once.
   */
  @Test
  void anEventOrAManualRunSentAgainWithItsIdRunsOnce() throws Exception {
    define(
        yaml(
            "name: sent_twice\n"
                + "trigger: { type: event, event: { type: SENT_TWICE } }\n"
                + "max_concurrent_executions: 10\n"
                + "actions:\n  - { type: log_event, message: once }\n"));
    Orchestrator.IncomingEvent event = new Orchestrator.IncomingEvent("SENT_TWICE", "test", null);
    Function<ActorRef<StatusReply<Orchestrator.Ingested>>, Orchestrator.Command> ingest =
        r -> new Orchestrator.Ingest(event, "event-sent-twice", r);
    List<Orchestrator.Ingested> answers = List.of(askOrchestrator(ingest), askOrchestrator(ingest));
    assertEquals(answers.get(0), answers.get(1));
    assertEquals(List.of("sent_twice"), answers.get(0).matched());
    Function<ActorRef<StatusReply<Admission>>, Orchestrator.Command> run =
        r ->
            new Orchestrator.RunManually(
                "sent_twice", "tester", null, true, "manual-sent-twice", r);
    List<Admission> manual = List.of(askOrchestrator(run), askOrchestrator(run));
    assertEquals(manual.get(0), manual.get(1));
    assertEquals("manual-sent-twice", manual.get(0).runId());
    awaitEnd("manual-sent-twice");
    Await.until(
        WITHIN,
        () -> {
          ScenarioView view = scenario("sent_twice");
          assertEquals(2, view.succeeded(), view::toString);
          assertEquals(2, view.runs(), "one run of the event, one manual: " + view);
        });
  }
}
