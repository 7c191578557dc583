package dev.orchestrator.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.ChildNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dev node killed with {@code kill -9} right after acknowledging writes loses none of them: the
 * next node on the same data directory stops the PostgreSQL the dead JVM left behind, starts again
 * on the same data and finds every acknowledged component.
 */
class KillNineIT {
  private static final Duration POSTGRES_EXIT_TIMEOUT = Duration.ofSeconds(30);
  private static final List<String> IDS = List.of("a", "b", "c");

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
  void acknowledgedComponentsSurviveKillNine() {
    first = ChildNode.startMain("kill9-first", dataDir);
    Api api = first.api();
    for (String id : IDS) {
      HttpResponse<String> put = api.put("/api/v1/components/" + id, "{\"driver\":\"simulated\"}");
      assertEquals(200, put.statusCode(), put.body());
    }
    first.kill9();
    assertTrue(
        !postgresOf(dataDir).isEmpty(),
        "the killed JVM should have left its PostgreSQL running (nothing to recover otherwise)");

    second = ChildNode.startMain("kill9-second", dataDir);
    Api restarted = second.api();
    for (String id : IDS) {
      HttpResponse<String> got = restarted.get("/api/v1/components/" + id);
      assertEquals(200, got.statusCode(), id + ": " + got.body());
      JsonNode component = Api.json(got);
      assertEquals(id, component.get("id").asText());
      assertEquals("simulated", component.get("driver").asText());
    }

    int exit = second.stop();
    assertEquals(0, exit, "SIGTERM runs the graceful shutdown, which exits with 0");
    Await.until(
        POSTGRES_EXIT_TIMEOUT,
        () -> {
          List<String> left = postgresOf(dataDir);
          assertTrue(left.isEmpty(), () -> "PostgreSQL still running: " + left);
        });
  }

  private static List<String> postgresOf(Path dataDir) {
    return ChildNode.postgresOf(dataDir).stream().map(ChildNode::describe).toList();
  }
}
