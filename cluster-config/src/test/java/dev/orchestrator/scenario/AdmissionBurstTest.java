package dev.orchestrator.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.TestNodes;
import dev.orchestrator.protocol.scenario.Explanation;
import dev.orchestrator.protocol.scenario.RunTrigger;
import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.protocol.scenario.ScenarioCommand;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Admission;
import dev.orchestrator.protocol.scenario.ScenarioView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Admissions that arrive together are journaled together (one write for a burst), and the
 * per-scenario limits still hold exactly: each admission is decided against the runs admitted
 * before it, journaled or not yet.
 */
class AdmissionBurstTest {
  private static final Duration ASK = Duration.ofSeconds(30);
  private static final int BURST = 40;

  private static Node node;
  private static ActorSystem<?> system;

  @BeforeAll
  static void start() throws Exception {
    node = TestNodes.startReadyDev("admission-burst-");
    system = node.services().system();
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      TestNodes.stop(node);
    }
  }

  @Test
  void aBurstAdmitsExactlyMaxConcurrentExecutions() throws Exception {
    define("burst_concurrent", "max_concurrent_executions: 5");
    Map<String, Integer> codes = burst("burst_concurrent", BURST);
    assertEquals(Map.of("admitted", 5, "concurrency", BURST - 5), codes);
    ScenarioView view = scenario("burst_concurrent");
    assertEquals(5, view.running().size(), view::toString);
    assertEquals(5, view.runs(), view::toString);
  }

  @Test
  void aBurstAdmitsExactlyMaxExecutionsThenBlocks() throws Exception {
    define("burst_executions", "max_concurrent_executions: 100\nmax_executions: 3");
    Map<String, Integer> codes = burst("burst_executions", BURST);
    assertEquals(Map.of("admitted", 3, "blocked", BURST - 3), codes);
    assertTrue(scenario("burst_executions").blocked());
  }

  @Test
  void theSameRunIdAdmittedTwiceInABurstIsOneRun() throws Exception {
    define("burst_repeat", "max_concurrent_executions: 10");
    List<CompletableFuture<Admission>> answers = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      answers.add(admit("burst_repeat", "repeated-run"));
    }
    for (CompletableFuture<Admission> answer : answers) {
      Admission a = answer.get(ASK.toSeconds(), TimeUnit.SECONDS);
      assertTrue(a.admitted(), a::toString);
      assertEquals("repeated-run", a.runId());
    }
    ScenarioView view = scenario("burst_repeat");
    assertEquals(1, view.runs(), view::toString);
    assertEquals(List.of("repeated-run"), view.running());
  }

  /** Asks {@code count} admissions of new runs at once; how many got each answer. */
  private static Map<String, Integer> burst(String name, int count) throws Exception {
    List<CompletableFuture<Admission>> answers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      answers.add(admit(name, name + "-run-" + i));
    }
    Map<String, Integer> codes = new TreeMap<>();
    for (CompletableFuture<Admission> answer : answers) {
      Admission a = answer.get(ASK.toSeconds(), TimeUnit.SECONDS);
      codes.merge(a.admitted() ? "admitted" : a.code(), 1, Integer::sum);
    }
    return codes;
  }

  private static CompletableFuture<Admission> admit(String name, String runId) {
    return ClusterSharding.get(system)
        .entityRefFor(ScenarioKeys.SCENARIO, name)
        .<Admission>askWithStatus(
            r ->
                new ScenarioCommand.Admit(
                    runId,
                    ScenarioCommand.Mode.MANUAL,
                    new RunTrigger("manual", null, "tester", null, Instant.now()),
                    Explanation.none(),
                    null,
                    List.of(),
                    r),
            ASK)
        .toCompletableFuture();
  }

  /** A manual scenario with {@code limits} whose runs wait (for an hour) for a state never seen. */
  private static void define(String name, String limits) throws Exception {
    Scenario scenario =
        ScenarioEngineTest.yaml(
            "name: "
                + name
                + "\ntrigger: { type: manual }\n"
                + limits
                + "\nactions:\n"
                + "  - { type: wait_for_state, target: nobody-here, state: RUN, timeout: 1h }\n");
    ClusterSharding.get(system)
        .entityRefFor(ScenarioKeys.SCENARIO, name)
        .<ScenarioView>askWithStatus(
            r -> new ScenarioCommand.Define(scenario, ScenarioCommand.Source.API, r), ASK)
        .toCompletableFuture()
        .get(ASK.toSeconds(), TimeUnit.SECONDS);
  }

  private static ScenarioView scenario(String name) throws Exception {
    return ClusterSharding.get(system)
        .entityRefFor(ScenarioKeys.SCENARIO, name)
        .<ScenarioView>askWithStatus(ScenarioCommand.Get::new, ASK)
        .toCompletableFuture()
        .get(ASK.toSeconds(), TimeUnit.SECONDS);
  }
}
