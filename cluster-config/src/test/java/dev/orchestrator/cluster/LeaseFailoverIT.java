package dev.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.ChildNode;
import dev.orchestrator.node.testkit.Ports;
import dev.orchestrator.node.testkit.TestNodes;
import dev.orchestrator.singleton.Orchestrator;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two cluster-mode nodes with {@code ORCH_DOWNING=lease-majority} survive the crash ({@code kill
 * -9}) of either one: the survivor takes the split brain resolver's lease and downs the dead node
 * instead of downing itself (as keep-majority does in a 1-1 split), the singleton runs (or keeps
 * running) on it under a singleton lease held by it, and a command submitted afterwards succeeds.
 * The crashed node is a real process; the survivor runs in the test JVM.
 */
class LeaseFailoverIT {
  private static final Duration DEADLINE = Duration.ofSeconds(180);
  private static final String SYSTEM = "orchestrator";

  @TempDir Path temp;

  private final List<ChildNode> children = new ArrayList<>();
  private final List<Node> nodes = new ArrayList<>();
  private EmbeddedPostgres postgres;
  private String jdbcUrl;

  @AfterEach
  void cleanUp() throws Exception {
    children.forEach(ChildNode::close);
    List<Throwable> failures = new ArrayList<>();
    for (Node node : nodes) {
      try {
        TestNodes.stop(node);
      } catch (Exception e) {
        failures.add(e);
      }
    }
    if (postgres != null) {
      postgres.close();
    }
    if (!failures.isEmpty()) {
      throw new AssertionError("clean-up failed: " + failures.get(0), failures.get(0));
    }
  }

  @Test
  void theSingletonsNodeKilledTheOtherTakesOver() throws Exception {
    startDatabase();
    int seedPort = Ports.free();
    ChildNode a = child("lease-a", seedPort, seedPort);
    a.awaitReady();
    Node b = inProcess("b", Ports.free(), seedPort);
    Api api = TestNodes.api(b);
    String aAddress = address(seedPort);
    awaitTwoUpAndSingletonOn(api, aAddress);

    a.kill9();

    String bAddress = b.system().address().toString();
    awaitAloneWithSingleton(api, bAddress);
    long epoch = singletonLease(b).epoch();
    assertTrue(epoch >= 2, "the singleton lease changed owner: epoch " + epoch);
    commandSucceeds(api);
  }

  @Test
  void theOtherNodeKilledTheSingletonStaysWhereItIs() throws Exception {
    startDatabase();
    int seedPort = Ports.free();
    Node a = inProcess("a", seedPort, seedPort);
    Api api = TestNodes.api(a);
    ChildNode b = child("lease-b", Ports.free(), seedPort);
    b.awaitReady();
    String aAddress = address(seedPort);
    awaitTwoUpAndSingletonOn(api, aAddress);
    Lease before = singletonLease(a);

    b.kill9();

    awaitAloneWithSingleton(api, aAddress);
    assertEquals(before, singletonLease(a), "the singleton lease stayed with its owner");
    commandSucceeds(api);
  }

  private void startDatabase() throws Exception {
    postgres = EmbeddedPostgres.builder().setServerConfig("max_connections", "200").start();
    jdbcUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
  }

  private static void awaitTwoUpAndSingletonOn(Api api, String address) {
    Await.until(
        DEADLINE,
        () -> {
          JsonNode view = ClusterNodes.cluster(api);
          assertEquals(2, ClusterNodes.upMembers(view).size(), view.toString());
          assertEquals(address, ClusterNodes.text(view, "/singleton/address"), view.toString());
        });
  }

  /** The survivor is the only member, Up, and answers for the singleton, which runs on it. */
  private static void awaitAloneWithSingleton(Api api, String address) {
    Await.until(
        DEADLINE,
        () -> {
          JsonNode view = ClusterNodes.cluster(api);
          assertEquals(List.of(address), ClusterNodes.upMembers(view), view.toString());
          assertEquals(1, view.get("members").size(), "the dead node is removed: " + view);
          assertEquals(address, ClusterNodes.text(view, "/singleton/address"), view.toString());
        });
  }

  private static void commandSucceeds(Api api) {
    HttpResponse<String> response =
        api.post("/api/v1/commands", "{\"name\":\"noop\",\"input\":{\"after\":\"failover\"}}");
    assertEquals(202, response.statusCode(), response.body());
    String id = Api.json(response).get("id").asText();
    Await.until(
        DEADLINE,
        () -> {
          JsonNode command = Api.json(api.get("/api/v1/commands/" + id));
          assertEquals("SUCCEEDED", command.path("status").asText(), command.toString());
        });
  }

  record Lease(String owner, long epoch) {}

  /** The singleton's lease row: held by {@code survivor}. */
  private Lease singletonLease(Node survivor) throws Exception {
    try (Connection c = postgres.getPostgresDatabase().getConnection();
        PreparedStatement s =
            c.prepareStatement("SELECT owner, epoch FROM leases WHERE name = ?")) {
      s.setString(1, Orchestrator.leaseName(survivor.system()));
      try (ResultSet rs = s.executeQuery()) {
        assertTrue(rs.next(), "no singleton lease");
        Lease lease = new Lease(rs.getString(1), rs.getLong(2));
        assertEquals(survivor.system().address().hostPort(), lease.owner());
        return lease;
      }
    }
  }

  private ChildNode child(String name, int nodePort, int seedPort) {
    Map<String, String> env = new HashMap<>();
    env.put("ORCH_MODE", "cluster");
    env.put("ORCH_DB_URL", jdbcUrl);
    env.put("ORCH_DB_USER", "postgres");
    env.put("ORCH_DB_PASSWORD", "");
    env.put("ORCH_NODE_PORT", Integer.toString(nodePort));
    env.put("ORCH_SEED_NODES", "127.0.0.1:" + seedPort);
    env.put("ORCH_DOWNING", "lease-majority");
    env.put("ORCH_ADMIN_TOKEN", TestNodes.ADMIN_TOKEN);
    ChildNode node =
        ChildNode.start(
            name,
            List.of("-cp", System.getProperty("java.class.path"), "dev.orchestrator.node.Main"),
            temp.resolve(name),
            env);
    children.add(node);
    return node;
  }

  private Node inProcess(String name, int nodePort, int seedPort) throws Exception {
    Map<String, Object> values = new HashMap<>();
    values.put("orchestrator.mode", "cluster");
    values.put("orchestrator.db.url", jdbcUrl);
    values.put("orchestrator.db.user", "postgres");
    values.put("orchestrator.db.password", "");
    values.put("orchestrator.node.port", nodePort);
    values.put("orchestrator.http.port", Ports.free());
    values.put("orchestrator.node.seed-nodes", "127.0.0.1:" + seedPort);
    values.put("orchestrator.node.downing", "lease-majority");
    values.put("orchestrator.admin-token", TestNodes.ADMIN_TOKEN);
    values.put("orchestrator.data-dir", temp.resolve(name).toString());
    Node node = TestNodes.start("cluster", values);
    nodes.add(node);
    return node;
  }

  private static String address(int nodePort) {
    return "akka://" + SYSTEM + "@127.0.0.1:" + nodePort;
  }
}
