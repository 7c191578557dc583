package dev.orchestrator.scenario;

import static dev.orchestrator.scenario.ActionFixture.context;
import static dev.orchestrator.scenario.ActionFixture.reattempt;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.command.CommandIds;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.protocol.scenario.Action;
import dev.orchestrator.scenario.action.ActionContext;
import dev.orchestrator.scenario.action.ActionResult;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code enqueue_command} against the built-in handlers of a real node (awaited success with its
 * output, awaited failure with its error, the attempt key as idempotency key, bad input), and the
 * refusals of {@code execute_scenario} (a cycle, too deep a nesting), which need no scenario
 * entity.
 */
class CommandActionsTest {
  private static final Duration STEP = Duration.ofSeconds(60);

  private static ActionFixture fx;

  @BeforeAll
  static void startNode() throws Exception {
    fx = ActionFixture.start("commands");
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (fx != null) {
      fx.stop();
    }
  }

  private static Action.EnqueueCommand enqueue(String name, String input, Boolean await) {
    return new Action.EnqueueCommand(
        name, input == null ? null : Api.json(input), await, null, null, null);
  }

  private static JsonNode command(String id) {
    HttpResponse<String> read = fx.api.get("/api/v1/commands/" + id);
    assertEquals(200, read.statusCode(), read::body);
    return Api.json(read);
  }

  @Test
  void anAwaitedCommandSucceedsWithItsOutput() throws Exception {
    ActionContext step = context("enqueue", List.of(), STEP);

    ActionResult result = fx.run(enqueue("noop", "{\"greeting\":\"hi\"}", true), step);

    JsonNode output = result.output();
    assertEquals("SUCCEEDED", output.path("status").asText(), output.toString());
    assertEquals("{\"greeting\":\"hi\"}", output.path("output").toString());
    String id = output.path("commandId").asText();
    assertEquals(CommandIds.forIdempotencyKey(step.attemptKey()), id);
    assertTrue(result.detail().contains("SUCCEEDED after 1 attempt"), result.detail());
    assertEquals(step.attemptKey(), command(id).path("idempotencyKey").asText());
  }

  @Test
  void anAwaitedCommandThatFailsFailsTheStepWithItsError() throws Exception {
    String message =
        fx.failure(
            enqueue("fail", "{\"times\":100,\"message\":\"disk full\"}", true),
            context("enqueue", List.of(), STEP));
    assertTrue(message.startsWith("command fail ("), message);
    assertTrue(message.contains(") ended FAILED after 1 attempt: "), message);
    assertTrue(message.contains("disk full"), message);
  }

  @Test
  void theSameAttemptKeyReachesTheSameCommand() throws Exception {
    ActionContext step = context("enqueue", List.of(), STEP);
    Action action = enqueue("noop", "{\"n\":1}", false);

    ActionResult first = fx.run(action, step);
    ActionResult again = fx.run(action, reattempt(step));

    String id = first.output().path("commandId").asText();
    assertTrue(first.detail().startsWith("command noop submitted as " + id), first.detail());
    assertEquals(id, again.output().path("commandId").asText());
    assertEquals(1, fx.events("Command|" + id, "$Submitted"));

    ActionContext retry =
        new ActionContext(step.runId(), step.path(), 2, false, step.spec(), step.deadline());
    assertNotEquals(id, fx.run(action, retry).output().path("commandId").asText());
  }

  @Test
  void anUnknownHandlerAndABadNameFailReadably() throws Exception {
    String unknown =
        fx.failure(enqueue("no_such_handler", null, true), context("enqueue", List.of(), STEP));
    assertTrue(unknown.contains("ended NOT_FOUND"), unknown);

    String bad = fx.failure(enqueue("Bad Name", null, true), context("enqueue", List.of(), STEP));
    assertTrue(bad.startsWith("command 'Bad Name': name 'Bad Name' must be"), bad);
  }

  @Test
  void aScenarioInItsOwnChainIsRefused() throws Exception {
    String self =
        fx.failure(
            new Action.ExecuteScenario("a", null, null, null), context("a", List.of(), STEP));
    assertTrue(self.startsWith("scenario 'a' would run inside itself: a -> a;"), self);

    String cycle =
        fx.failure(
            new Action.ExecuteScenario("a", null, null, null), context("b", List.of("a"), STEP));
    assertTrue(cycle.startsWith("scenario 'a' would run inside itself: a -> b -> a;"), cycle);
  }

  @Test
  void nestingDeeperThanTheLimitIsRefused() throws Exception {
    List<String> five = List.of("s0", "s1", "s2", "s3", "s4");
    String deep =
        fx.failure(new Action.ExecuteScenario("x", null, null, null), context("s5", five, STEP));
    assertEquals(
        "scenario 'x' would run at nesting depth 6, deeper than"
            + " orchestrator.scenarios.max-nesting-depth = 5: s0 -> s1 -> s2 -> s3 -> s4 -> s5 -> x",
        deep);

    // One level less is allowed: the scenario entity is asked (and here cannot run it).
    String allowed =
        fx.failure(
            new Action.ExecuteScenario("x", null, null, null),
            context("s4", five.subList(0, 4), Duration.ofSeconds(10)));
    assertFalse(allowed.contains("nesting depth"), allowed);
    assertTrue(allowed.startsWith("scenario 'x' was not"), allowed);
  }
}
