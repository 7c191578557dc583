package dev.orchestrator.drill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.Ports;
import dev.orchestrator.node.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** What the drill tests share: node settings, starting a drill, waiting for and reading reports. */
final class DrillSupport {
  static final String SYSTEM = "orchestrator";
  static final Duration DEADLINE = Duration.ofSeconds(240);

  private DrillSupport() {}

  static String address(int nodePort) {
    return "akka://" + SYSTEM + "@127.0.0.1:" + nodePort;
  }

  /**
   * {@code orchestrator.*} settings of an in-process cluster node; the drill's own deadline is
   * generous, for a loaded machine.
   */
  static Map<String, Object> clusterNode(int nodePort, String jdbcUrl, String seed, Path dataDir) {
    Map<String, Object> values = new HashMap<>();
    values.put("orchestrator.mode", "cluster");
    values.put("orchestrator.db.url", jdbcUrl);
    values.put("orchestrator.db.user", "postgres");
    values.put("orchestrator.db.password", "");
    values.put("orchestrator.node.port", nodePort);
    values.put("orchestrator.http.port", Ports.free());
    values.put("orchestrator.node.seed-nodes", seed);
    values.put("orchestrator.admin-token", TestNodes.ADMIN_TOKEN);
    values.put("orchestrator.data-dir", dataDir.toString());
    values.put("orchestrator.drills.deadline", "150s");
    return values;
  }

  /** {@code GET /api/v1/cluster}. */
  static JsonNode cluster(Api api) {
    HttpResponse<String> response = api.get("/api/v1/cluster");
    assertEquals(200, response.statusCode(), response.body());
    return Api.json(response);
  }

  static List<String> upMembers(Api api) {
    List<String> up = new ArrayList<>();
    for (JsonNode member : cluster(api).get("members")) {
      if (member.get("status").asText().equals("Up")) {
        up.add(member.get("address").asText());
      }
    }
    return up;
  }

  /** Starts a drill; it must be accepted (202 with its id and RUNNING, and a Location). */
  static String start(Api api, String body) {
    HttpResponse<String> response = api.post("/api/v1/drills", body);
    assertEquals(202, response.statusCode(), response.body());
    JsonNode started = Api.json(response);
    String id = started.path("id").asText();
    assertFalse(id.isBlank(), response.body());
    assertEquals("RUNNING", started.path("status").asText(), response.body());
    assertEquals(
        "/api/v1/drills/" + id, response.headers().firstValue("Location").orElse(""), "Location");
    return id;
  }

  /** Waits until the drill has ended and returns its report. */
  static JsonNode awaitEnd(Api api, String id) {
    AtomicReference<JsonNode> report = new AtomicReference<>();
    Await.until(
        DEADLINE,
        () -> {
          HttpResponse<String> response = api.get("/api/v1/drills/" + id);
          assertEquals(200, response.statusCode(), response.body());
          JsonNode read = Api.json(response);
          assertNotEquals("RUNNING", read.path("status").asText(), "still running: " + read);
          report.set(read);
        });
    return report.get();
  }

  /** The names of the report's stages, in their order. */
  static List<String> stageNames(JsonNode report) {
    List<String> names = new ArrayList<>();
    report.get("stages").forEach(stage -> names.add(stage.get("name").asText()));
    return names;
  }

  /**
   * The report succeeded, lost nothing, and its stages have times that never go back and hold the
   * stages of each chain in that chain's order (others may come between).
   */
  @SafeVarargs
  static void assertRecovered(JsonNode report, String target, List<String>... chains) {
    String text = report.toPrettyString();
    assertEquals("SUCCEEDED", report.path("status").asText(), text);
    assertTrue(report.path("reason").isNull(), text);
    assertEquals(target, report.path("target").asText(), text);
    assertNotEquals(target, report.path("coordinator").asText(), "coordinator " + text);
    String after = report.path("singletonAfter").asText();
    assertFalse(after.isBlank(), "singletonAfter: " + text);
    assertNotEquals(target, after, "the singleton moved off the target: " + text);
    assertEquals(0, report.path("lost").asInt(-1), text);
    assertTrue(report.path("lostIds").isEmpty(), text);
    assertTrue(report.path("acknowledged").asInt() > 0, "commands acknowledged: " + text);
    assertTrue(
        report.path("commandsSubmitted").asInt() >= report.path("acknowledged").asInt(), text);
    assertTrue(report.path("duplicated").isInt(), text);
    assertTrue(report.path("runsRunningAtStart").isInt(), text);
    assertTrue(report.path("runsResumed").isInt(), text);
    assertNotNull(report.path("finishedAt").textValue(), text);

    long previous = -1;
    for (JsonNode stage : report.get("stages")) {
      long at = stage.get("atMillis").asLong();
      assertTrue(at >= previous, "stage times never go back: " + text);
      assertFalse(stage.path("at").asText().isBlank(), "wall-clock time of " + stage);
      previous = at;
    }
    List<String> names = stageNames(report);
    assertEquals("started", names.get(0), text);
    for (List<String> chain : chains) {
      int last = -1;
      for (String name : chain) {
        int index = names.indexOf(name);
        assertTrue(index > last, name + " present and in the order " + chain + ": " + names);
        last = index;
      }
    }
    long acknowledgedAt =
        report
            .get("stages")
            .get(names.indexOf("firstCommandAcknowledged"))
            .get("atMillis")
            .asLong();
    assertEquals(acknowledgedAt, report.path("recoveryMillis").asLong(), text);
  }
}
