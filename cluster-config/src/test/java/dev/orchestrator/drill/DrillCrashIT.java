package dev.orchestrator.drill;

import static dev.orchestrator.drill.DrillSupport.address;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.ChildNode;
import dev.orchestrator.node.testkit.Ports;
import dev.orchestrator.node.testkit.TestNodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node-crash drill through the API: the singleton runs in a child JVM (the oldest node), two
 * in-process nodes join it; the drill, asked of an in-process node with the default target, makes
 * the child halt itself. The child exits as if killed, and the report shows it downed and removed
 * (and unreachable, before or after the downing), the singleton started on a survivor and no
 * acknowledged command lost.
 */
class DrillCrashIT {
  @TempDir Path temp;

  private final List<Node> nodes = Collections.synchronizedList(new ArrayList<>());
  private ChildNode child;
  private EmbeddedPostgres postgres;

  @AfterEach
  void stopEverything() throws Exception {
    try {
      if (child != null) {
        child.close();
      }
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
  void theSingletonsNodeHaltsAndTheReportShowsTheFailover() throws Exception {
    postgres = EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
    String jdbcUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    int childPort = Ports.free();
    String seed = "127.0.0.1:" + childPort;
    Map<String, String> env = new HashMap<>();
    env.put("ORCH_MODE", "cluster");
    env.put("ORCH_DB_URL", jdbcUrl);
    env.put("ORCH_DB_USER", "postgres");
    env.put("ORCH_DB_PASSWORD", "");
    env.put("ORCH_NODE_PORT", Integer.toString(childPort));
    env.put("ORCH_SEED_NODES", seed);
    env.put("ORCH_ADMIN_TOKEN", TestNodes.ADMIN_TOKEN);
    child =
        ChildNode.start(
            "drill-crash-target",
            List.of("-cp", System.getProperty("java.class.path"), "dev.orchestrator.node.Main"),
            temp.resolve("child"),
            env);
    child.awaitReady();
    String target = address(childPort);

    int[] ports = {Ports.free(), Ports.free()};
    for (int i = 0; i < 2; i++) {
      nodes.add(
          TestNodes.start(
              "cluster",
              DrillSupport.clusterNode(ports[i], jdbcUrl, seed, temp.resolve("node" + i))));
    }
    Api api = TestNodes.api(nodes.get(0));
    Set<String> all = Set.of(target, address(ports[0]), address(ports[1]));
    Await.until(
        DrillSupport.DEADLINE,
        () -> {
          assertTrue(child.process().isAlive(), "the child exited");
          assertEquals(all, Set.copyOf(DrillSupport.upMembers(api)), "Up members");
          assertEquals(
              target,
              DrillSupport.cluster(api).at("/singleton/address").asText(),
              "the singleton on the oldest node, the child");
        });

    String id = DrillSupport.start(api, "{\"type\":\"node-crash\"}");

    assertTrue(
        child.process().waitFor(DrillSupport.DEADLINE.toSeconds(), TimeUnit.SECONDS),
        "the child did not halt");
    assertEquals(DrillAgent.HALT_STATUS, child.process().exitValue(), "exit status of the child");

    JsonNode report = DrillSupport.awaitEnd(api, id);
    System.out.println("DrillCrashIT report: " + report.toPrettyString());
    DrillSupport.assertRecovered(
        report,
        target,
        List.of("started", "haltRequested", "downed", "removed"),
        List.of("haltRequested", "singletonStarted", "firstCommandAcknowledged"));
    // The death prover may down the halted node (its PostgreSQL session is gone) before the failure
    // detector marks it unreachable, or the node may be removed before that: "unreachable" comes
    // in either order with "downed", but never before the halt.
    List<String> names = DrillSupport.stageNames(report);
    if (names.contains("unreachable")) {
      assertTrue(
          names.indexOf("unreachable") > names.indexOf("haltRequested"),
          "unreachable after the halt: " + names);
    }
    assertEquals("node-crash", report.path("type").asText());
    assertEquals(target, report.path("singletonBefore").asText());
    assertEquals(
        report.path("singletonAfter").asText(),
        DrillSupport.cluster(api).at("/singleton/address").asText(),
        "where the cluster now runs the singleton");
  }
}
