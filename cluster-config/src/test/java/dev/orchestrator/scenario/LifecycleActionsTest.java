package dev.orchestrator.scenario;

import static dev.orchestrator.scenario.ActionFixture.context;
import static dev.orchestrator.scenario.ActionFixture.reattempt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
import dev.orchestrator.protocol.scenario.Action;
import dev.orchestrator.scenario.action.ActionContext;
import dev.orchestrator.scenario.action.ActionResult;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code send_command} and {@code wait_for_state} on simulated components of a real node: a group
 * in dependency order, a command the FSM forbids, an unknown target, a crash re-attempt that must
 * not start a second lifecycle run; a wait that ends when the components arrive, and one that times
 * out naming the laggards.
 */
class LifecycleActionsTest {
  private static final Duration STEP = Duration.ofSeconds(60);

  /** cache and db alone; api on both; web on api. */
  private static Map<String, List<String>> shop(String p) {
    return Map.of(
        p + "db", List.of(),
        p + "cache", List.of(),
        p + "api", List.of(p + "db", p + "cache"),
        p + "web", List.of(p + "api"));
  }

  private static ActionFixture fx;

  @BeforeAll
  static void startNode() throws Exception {
    fx = ActionFixture.start("lifecycle");
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (fx != null) {
      fx.stop();
    }
  }

  private static Action.SendCommand send(String target, LifecycleCommand command, String order) {
    return new Action.SendCommand(target, command, order, null, null, null);
  }

  private static Action.WaitForState waitFor(String target, FsmState state, Duration timeout) {
    return new Action.WaitForState(target, state, timeout, null, null);
  }

  private static JsonNode lifecycleRun(String id) {
    HttpResponse<String> read = fx.api.get("/api/v1/lifecycle/" + id);
    assertEquals(200, read.statusCode(), read::body);
    return Api.json(read);
  }

  private static List<List<String>> plan(JsonNode run) {
    List<List<String>> steps = new ArrayList<>();
    run.path("steps")
        .forEach(
            step -> {
              List<String> ids = new ArrayList<>();
              step.path("components").forEach(c -> ids.add(c.path("id").asText()));
              steps.add(ids);
            });
    return steps;
  }

  @Test
  void sendCommandToAGroupInDependencyOrderReachesTheState() throws Exception {
    fx.register("shop-a", shop("a-"));
    ActionContext step = context("start_shop", List.of(), STEP);

    ActionResult result =
        fx.run(send("group:shop-a", LifecycleCommand.CMD_INITIALIZED, "dependencies"), step);

    assertTrue(
        result.detail().startsWith("CMD_INITIALIZED reached INITIALIZED on 4 components"),
        result.detail());
    String runId = result.output().path("lifecycleRunId").asText();
    assertEquals(step.attemptUuid().toString(), runId);
    JsonNode run = lifecycleRun(runId);
    assertEquals("SUCCEEDED", run.path("status").asText(), run.toString());
    assertEquals(
        List.of(List.of("a-cache", "a-db"), List.of("a-api"), List.of("a-web")), plan(run));
    // The run's timeout is the time the step had left, not the lifecycle default of 5m.
    Duration timeout = Duration.parse(run.path("spec").path("timeout").asText());
    assertTrue(
        timeout.compareTo(STEP) <= 0 && timeout.compareTo(STEP.minusSeconds(30)) > 0,
        run::toString);

    ActionResult waited =
        fx.run(
            waitFor("group:shop-a", FsmState.INITIALIZED, Duration.ofSeconds(10)),
            context("start_shop", List.of(), Duration.ofSeconds(10)));
    assertTrue(
        waited.detail().startsWith("4 components of group:shop-a in INITIALIZED"), waited.detail());
  }

  @Test
  void aCommandTheFsmForbidsFailsNamingTheComponentAndWhy() throws Exception {
    fx.register("shop-b", Map.of("b-solo", List.of()));

    String message =
        fx.failure(
            send("group:shop-b", LifecycleCommand.CMD_RUN, null),
            context("run_it", List.of(), STEP));

    assertTrue(message.startsWith("CMD_RUN to group:shop-b FAILED on 1 of 1 components"), message);
    assertTrue(message.contains("b-solo FAILED (in state STOPPED"), message);
    assertTrue(message.contains("not CMD_RUN"), message);
  }

  @Test
  void anUnknownTargetFails() throws Exception {
    String group =
        fx.failure(
            send("group:nowhere", LifecycleCommand.CMD_INITIALIZED, null),
            context("x", List.of(), STEP));
    assertTrue(group.contains("no registered component is in group 'nowhere'"), group);
    String id =
        fx.failure(
            send("ghost", LifecycleCommand.CMD_INITIALIZED, null), context("x", List.of(), STEP));
    assertTrue(id.contains("no component 'ghost' is registered"), id);
    String wait =
        fx.failure(
            waitFor("ghost", FsmState.RUN, Duration.ofSeconds(5)),
            context("x", List.of(), Duration.ofSeconds(5)));
    assertTrue(wait.contains("no component 'ghost' is registered"), wait);
  }

  @Test
  void theSameAttemptTwiceStartsOneLifecycleRun() throws Exception {
    fx.register("shop-c", shop("c-"));
    ActionContext first = context("start_shop", List.of(), STEP);
    Action action = send("group:shop-c", LifecycleCommand.CMD_INITIALIZED, "dependencies");

    // The first attempt and its re-attempt after a "crash" at once, then the same attempt again.
    CompletionStage<ActionResult> a = fx.start(action, first);
    CompletionStage<ActionResult> b = fx.start(action, reattempt(first));
    ActionResult one = ActionFixture.await(a, first);
    ActionResult two = ActionFixture.await(b, first);
    ActionResult three = fx.run(action, reattempt(first));

    String runId = first.attemptUuid().toString();
    for (ActionResult r : List.of(one, two, three)) {
      assertEquals(runId, r.output().path("lifecycleRunId").asText(), r.toString());
    }
    assertEquals(1, fx.events("LifecycleRun|" + runId, "$Started"));
    // Each component got its command once: the run journaled one send each, and each component's
    // entity journaled one command.
    assertEquals(4, fx.sends("LifecycleRun|" + runId));
    for (String component : shop("c-").keySet()) {
      assertEquals(1, fx.events("Component|" + component, "$LifecycleRequested"), component);
    }

    // A retry is another attempt: another run (which finds everything there already).
    ActionContext retry =
        new ActionContext(first.runId(), first.path(), 2, false, first.spec(), first.deadline());
    ActionResult again = fx.run(action, retry);
    String second = again.output().path("lifecycleRunId").asText();
    assertNotEquals(runId, second);
    assertTrue(again.detail().contains("(4 there already)"), again.detail());
  }

  @Test
  void waitForStateEndsWhenTheComponentsArrive() throws Exception {
    fx.register("shop-d", Map.of("d-1", List.of(), "d-2", List.of()));
    ActionContext step = context("wait", List.of(), STEP);
    CompletableFuture<ActionResult> waiting =
        fx.start(waitFor("group:shop-d", FsmState.INITIALIZED, STEP), step).toCompletableFuture();
    assertFalse(waiting.isDone(), "the components are STOPPED; the wait must go on");

    HttpResponse<String> started =
        fx.api.post(
            "/api/v1/lifecycle", "{\"target\":\"group:shop-d\",\"command\":\"CMD_INITIALIZED\"}");
    assertEquals(202, started.statusCode(), started::body);

    ActionResult result = ActionFixture.await(waiting, step);
    assertTrue(
        result.detail().startsWith("2 components of group:shop-d in INITIALIZED"), result.detail());
  }

  @Test
  void waitForStateTimesOutNamingTheLaggards() throws Exception {
    fx.register("shop-e", Map.of("e-idle", List.of(), "e-gone", List.of()));
    HttpResponse<String> fault =
        fx.api.post("/api/v1/components/e-gone/simulate", "{\"fault\":\"unresponsive\"}");
    assertTrue(fault.statusCode() == 200 || fault.statusCode() == 202, fault.body());
    Await.until(
        ActionFixture.WITHIN,
        () -> assertTrue(fx.component("e-gone").path("unreachable").asBoolean(), "unreachable"));

    String message =
        fx.failure(
            waitFor("group:shop-e", FsmState.RUN, Duration.ofSeconds(2)),
            context("wait", List.of(), Duration.ofSeconds(2)));

    assertEquals(
        "timed out after 2s waiting for group:shop-e to be RUN: e-gone is unreachable,"
            + " e-idle is STOPPED",
        message);
  }
}
