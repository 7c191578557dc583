package dev.orchestrator.drill;

import static dev.orchestrator.drill.DrillSupport.address;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.Ports;
import dev.orchestrator.node.testkit.TestNodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A singleton-handover drill through the API on three in-process cluster nodes: asked of the
 * singleton's own node (which hands the drill to another node to coordinate), it makes that node
 * leave; the report has the stages in order, the singleton on a survivor, no lost command and the
 * scenario run under way resumed. A second drill while it runs is refused.
 */
class DrillHandoverTest {
  private static final String LATE = "drill-late";

  @TempDir Path temp;

  private final List<Node> nodes = Collections.synchronizedList(new ArrayList<>());
  private EmbeddedPostgres postgres;

  @AfterEach
  void stopEverything() throws Exception {
    try {
      List<Node> running = new ArrayList<>(nodes);
      Collections.reverse(running);
      for (Node node : running) {
        TestNodes.stop(node);
      }
    } finally {
      if (postgres != null) {
        postgres.close();
      }
    }
  }

  @Test
  void theSingletonsNodeLeavesAndTheReportShowsTheHandover() throws Exception {
    postgres = EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
    String jdbcUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    int[] ports = {Ports.free(), Ports.free(), Ports.free()};
    String seed = "127.0.0.1:" + ports[0];
    List<Api> apis = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Node node =
          TestNodes.start(
              "cluster",
              DrillSupport.clusterNode(ports[i], jdbcUrl, seed, temp.resolve("node" + i)));
      nodes.add(node);
      apis.add(TestNodes.api(node));
    }
    String first = address(ports[0]);
    Set<String> all = Set.of(first, address(ports[1]), address(ports[2]));
    Await.until(
        DrillSupport.DEADLINE,
        () -> {
          for (Api api : apis) {
            assertEquals(all, Set.copyOf(DrillSupport.upMembers(api)), "Up members");
            assertEquals(
                first, DrillSupport.cluster(api).at("/singleton/address").asText(), "singleton");
          }
        });

    String runId = waitingRun(apis.get(1));

    // Asked of the target itself, with the default target: the singleton's node.
    String id = DrillSupport.start(apis.get(0), "{\"type\":\"singleton-handover\"}");

    HttpResponse<String> second =
        apis.get(1).post("/api/v1/drills", "{\"type\":\"node-crash\",\"node\":\"" + first + "\"}");
    assertEquals(409, second.statusCode(), second.body());
    assertTrue(second.body().contains("drill " + id), second.body());
    assertTrue(second.body().contains("is still running"), second.body());
    assertEquals(1, drillRows(jdbcUrl), "the refused drill stored nothing");

    Api survivor = apis.get(1);
    // The run under way goes on during the drill: what it waits for happens now.
    Await.until(
        DrillSupport.DEADLINE,
        () -> {
          HttpResponse<String> sent =
              survivor.post(
                  "/api/v1/components/" + LATE + "/lifecycle", "{\"command\":\"CMD_INITIALIZED\"}");
          assertEquals(202, sent.statusCode(), sent.body());
        });
    JsonNode report = DrillSupport.awaitEnd(survivor, id);
    System.out.println("DrillHandoverTest report: " + report.toPrettyString());
    DrillSupport.assertRecovered(
        report,
        first,
        List.of("started", "leaveRequested", "removed"),
        List.of("leaveRequested", "singletonStarted", "firstCommandAcknowledged"));
    assertEquals("singleton-handover", report.path("type").asText());
    assertEquals(first, report.path("singletonBefore").asText());
    assertEquals(
        List.of(),
        DrillSupport.stageNames(report).stream()
            .filter(name -> name.equals("unreachable") || name.equals("downed"))
            .toList(),
        "a graceful leave is neither unreachable nor downed");

    // The node that left stopped (its process would exit and be restarted by a supervisor).
    nodes.get(0).closed().toCompletableFuture().get(60, TimeUnit.SECONDS);
    nodes.remove(0);
    JsonNode view = DrillSupport.cluster(survivor);
    assertEquals(
        report.path("singletonAfter").asText(), view.at("/singleton/address").asText(), "now");
    assertEquals(
        Set.of(address(ports[1]), address(ports[2])), Set.copyOf(DrillSupport.upMembers(survivor)));

    // Every acknowledged command really is SUCCEEDED (the read side agrees with the report).
    int acknowledged = report.path("acknowledged").asInt();
    Await.until(
        DrillSupport.DEADLINE,
        () ->
            assertTrue(
                succeededCommands(jdbcUrl, id) >= acknowledged,
                "SUCCEEDED in the read side: fewer than " + acknowledged));

    assertTrue(report.path("runsRunningAtStart").asInt() >= 1, "runs under way at the start");
    assertTrue(report.path("runsResumed").asInt() >= 1, "the waiting run went on");
    Await.until(
        DrillSupport.DEADLINE,
        () -> {
          JsonNode run = Api.json(survivor.get("/api/v1/runs/" + runId));
          assertEquals("SUCCEEDED", run.path("status").asText(), run.toString());
        });

    JsonNode listed = Api.json(survivor.get("/api/v1/drills")).path("items");
    assertEquals(id, listed.get(0).path("id").asText(), listed.toString());
    assertEquals("SUCCEEDED", listed.get(0).path("status").asText(), listed.toString());
  }

  /**
   * A scenario run that waits for component {@link #LATE} to be INITIALIZED, RUNNING in the read
   * side (where the drill looks for runs under way).
   */
  private static String waitingRun(Api api) {
    HttpResponse<String> put =
        api.put(
            "/api/v1/components/" + LATE, "{\"driver\":\"simulated\",\"pollInterval\":\"200ms\"}");
    assertEquals(200, put.statusCode(), put.body());
    HttpResponse<String> scenario =
        api.put(
            "/api/v1/scenarios/drill-waits",
            """
            {"name": "drill-waits", "trigger": {"type": "manual"},
             "actions": [
               {"type": "wait_for_state", "target": "%s", "state": "INITIALIZED", "timeout": "10m"},
               {"type": "log_event", "message": "after the wait"}]}
            """
                .formatted(LATE));
    assertTrue(scenario.statusCode() / 100 == 2, scenario.body());
    HttpResponse<String> run = api.post("/api/v1/scenarios/drill-waits/run", "{}");
    assertEquals(202, run.statusCode(), run.body());
    String runId = Api.json(run).get("runId").asText();
    Await.until(
        DrillSupport.DEADLINE,
        () -> {
          HttpResponse<String> running = api.get("/api/v1/runs?status=RUNNING");
          assertTrue(running.body().contains(runId), "run not listed RUNNING: " + running.body());
        });
    return runId;
  }

  private static long drillRows(String jdbcUrl) throws Exception {
    return count(jdbcUrl, "SELECT count(*) FROM drills");
  }

  private static long succeededCommands(String jdbcUrl, String drillId) throws Exception {
    return count(
        jdbcUrl,
        "SELECT count(*) FROM commands WHERE status = 'SUCCEEDED' AND idempotency_key LIKE 'drill-"
            + drillId
            + "-%'");
  }

  private static long count(String jdbcUrl, String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
        Statement s = c.createStatement();
        ResultSet rows = s.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
