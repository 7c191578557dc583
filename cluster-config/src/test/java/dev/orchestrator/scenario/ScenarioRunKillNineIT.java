package dev.orchestrator.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.ChildNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scenario run survives {@code kill -9} of the JVM running it: the next node on the same data
 * resumes it at the first unfinished step. The step in flight (a wait for a state) is attempted
 * again and marked so; the finished step before it is not repeated; the run then completes.
 */
class ScenarioRunKillNineIT {
  private static final Duration WITHIN = Duration.ofSeconds(120);

  @TempDir Path dataDir;

  private ChildNode first;
  private ChildNode second;

  @AfterEach
  void killLeftovers() {
    if (second != null) {
      second.close();
    }
    if (first != null) {
      first.close();
    }
  }

  @Test
  void anInterruptedRunResumesAtItsUnfinishedStep() {
    first = ChildNode.startMain("run-kill9-first", dataDir);
    Api api = first.api();
    HttpResponse<String> put =
        api.put("/api/v1/components/late", "{\"driver\":\"simulated\",\"pollInterval\":\"200ms\"}");
    assertEquals(200, put.statusCode(), put.body());
    HttpResponse<String> scenario =
        api.send(
            "PUT",
            "/api/v1/scenarios/resumable",
            """
            {"name": "resumable", "trigger": {"type": "manual"},
             "actions": [
               {"type": "log_event", "message": "before the wait"},
               {"type": "wait_for_state", "target": "late", "state": "INITIALIZED", "timeout": "10m"},
               {"type": "log_event", "message": "after the wait"}]}
            """);
    assertTrue(scenario.statusCode() / 100 == 2, scenario::body);
    HttpResponse<String> run = api.post("/api/v1/scenarios/resumable/run", "{}");
    assertEquals(202, run.statusCode(), run.body());
    String runId = Api.json(run).get("runId").asText();

    // The wait is in flight, journaled as started.
    Await.until(
        WITHIN,
        () -> {
          JsonNode view = Api.json(api.get("/api/v1/runs/" + runId));
          assertEquals(2, view.get("steps").size(), view::toString);
          assertEquals("RUNNING", view.get("steps").get(1).get("status").asText());
        });
    first.kill9();

    second = ChildNode.startMain("run-kill9-second", dataDir);
    Api again = second.api();
    // Once the component entity is back and has seen its state, it takes the command.
    Await.until(
        WITHIN,
        () -> {
          HttpResponse<String> sent =
              again.post("/api/v1/components/late/lifecycle", "{\"command\":\"CMD_INITIALIZED\"}");
          assertEquals(202, sent.statusCode(), sent::body);
        });
    AtomicReference<JsonNode> last = new AtomicReference<>();
    Await.until(
        WITHIN,
        () -> {
          last.set(Api.json(again.get("/api/v1/runs/" + runId)));
          assertEquals("SUCCEEDED", last.get().get("status").asText(), last.get()::toString);
        });
    JsonNode steps = last.get().get("steps");
    assertEquals(3, steps.size(), steps::toString);
    assertEquals(1, steps.get(0).get("attempts").asInt(), "a finished step is not repeated");
    assertFalse(steps.get(0).path("reattempted").asBoolean(), steps::toString);
    assertTrue(steps.get(1).get("reattempted").asBoolean(), "the step in flight is marked");
    assertEquals(1, steps.get(1).get("attempts").asInt(), "re-attempted under the same number");
    assertEquals("after the wait", steps.get(2).get("detail").asText());
  }
}
