package dev.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Cluster-mode nodes on one external PostgreSQL, and reading their {@code /api/v1/cluster}. */
final class ClusterNodes {
  static final String SYSTEM = "orchestrator";
  static final List<String> ROLES = List.of("gateway", "orchestrator", "worker");

  private ClusterNodes() {}

  /** One planned node: its ports are taken before any node starts, so seeds can name them. */
  record Plan(int nodePort, int httpPort, Path dataDir) {
    String address() {
      return "akka://" + SYSTEM + "@127.0.0.1:" + nodePort;
    }

    String hostPort() {
      return "127.0.0.1:" + nodePort;
    }
  }

  /**
   * {@code orchestrator.*} overrides of a cluster-mode node; {@code adminToken} empty means "have
   * one generated".
   */
  static Map<String, Object> settings(Plan plan, String jdbcUrl, Plan seed, String adminToken) {
    Map<String, Object> values = new HashMap<>();
    values.put("orchestrator.mode", "cluster");
    values.put("orchestrator.db.url", jdbcUrl);
    values.put("orchestrator.db.user", "postgres");
    values.put("orchestrator.db.password", "");
    values.put("orchestrator.node.port", plan.nodePort());
    values.put("orchestrator.http.port", plan.httpPort());
    values.put("orchestrator.node.seed-nodes", seed.hostPort());
    values.put("orchestrator.admin-token", adminToken);
    values.put("orchestrator.data-dir", plan.dataDir().toString());
    return values;
  }

  /** {@code GET /api/v1/cluster}, which must answer 200. */
  static JsonNode cluster(Api api) {
    HttpResponse<String> response = api.get("/api/v1/cluster");
    assertEquals(200, response.statusCode(), "GET /api/v1/cluster: " + response.body());
    return Api.json(response);
  }

  /** Addresses of the members, checking that each is Up with the three standard roles. */
  static List<String> upMembers(JsonNode view) {
    List<String> addresses = new ArrayList<>();
    for (JsonNode member : view.get("members")) {
      String address = member.get("address").asText();
      assertEquals("Up", member.get("status").asText(), address + " in " + view);
      List<String> roles = new ArrayList<>();
      member.get("roles").forEach(role -> roles.add(role.asText()));
      assertEquals(ROLES, roles, "roles of " + address);
      addresses.add(address);
    }
    return addresses;
  }

  /** The text at a JSON pointer, null for a missing or JSON null value. */
  static String text(JsonNode view, String pointer) {
    JsonNode node = view.at(pointer);
    return node.isMissingNode() || node.isNull() ? null : node.asText();
  }

  /** Stops every node (each with a graceful leave), even when some fail; then reports the first. */
  static void stopAll(List<Node> nodes) throws Exception {
    Exception first = null;
    for (Node node : nodes) {
      try {
        TestNodes.stop(node);
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
