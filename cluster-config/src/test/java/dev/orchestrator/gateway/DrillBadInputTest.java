package dev.orchestrator.gateway;

import static dev.orchestrator.gateway.GatewayFixture.assertDetail;
import static dev.orchestrator.gateway.GatewayFixture.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code /api/v1/drills} refuses every bad request with a problem a person can act on, and stores
 * nothing: bad bodies, unknown types and nodes, and any drill on a dev node (a cluster of one,
 * which a drill would leave without a node).
 */
class DrillBadInputTest {
  private static final String DRILLS = "/api/v1/drills";
  private static GatewayFixture gw;
  private static String self;

  @BeforeAll
  static void startNode() throws Exception {
    gw = GatewayFixture.start("drills");
    self = Api.json(gw.admin.get("/api/v1/cluster")).path("self").asText();
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (gw != null) {
      gw.stop();
    }
  }

  @AfterEach
  void nothingStored() {
    assertEquals(0, gw.queryLong("SELECT count(*) FROM drills"), "drills stored");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''| malformed-json | JSON body",
        "not json | malformed-json | not valid JSON",
        "[] | malformed-json | wrong type",
        "null | malformed-json | not null",
        "{} | validation | type is required: singleton-handover or node-crash",
        "{\"type\":\"reboot\"} | validation | 'reboot' is unknown; use singleton-handover or node-crash",
        "{\"type\":\"\"} | validation | '' is unknown",
        "{\"type\":5} | malformed-json | field 'type'",
        "{\"type\":[\"node-crash\"]} | malformed-json | field 'type'",
        "{\"type\":\"node-crash\",\"node\":7} | malformed-json | field 'node'",
        "{\"type\":\"node-crash\",\"node\":{}} | malformed-json | field 'node'",
        "{\"type\":\"node-crash\",\"force\":true} | malformed-json | unknown field 'force'",
        "{\"type\":\"node-crash\",\"node\":\"akka://orchestrator@127.0.0.1:1\"} | validation |"
            + " is not a member of the cluster",
        "{\"type\":\"singleton-handover\",\"node\":\"somewhere\"} | validation | 'somewhere' is not"
            + " a member",
      })
  void badBodiesAreRefused(String body, String slug, String detail) {
    JsonNode problem = assertProblem(gw.admin.post(DRILLS, body), 400, slug);
    assertDetail(problem, detail);
  }

  @Test
  void anUnknownNodeIsNamedWithTheMembers() {
    JsonNode problem =
        assertProblem(
            gw.admin.post(DRILLS, "{\"type\":\"node-crash\",\"node\":\"akka://x@h:1\"}"),
            400,
            "validation");
    assertDetail(problem, "members (as GET /api/v1/cluster shows them)", self);
  }

  @ParameterizedTest(name = "{0} on a dev node")
  @CsvSource({"singleton-handover", "node-crash"})
  void aDevNodeRefusesEveryDrill(String type) {
    for (String body :
        new String[] {
          "{\"type\":\"" + type + "\"}", "{\"type\":\"" + type + "\",\"node\":\"" + self + "\"}"
        }) {
      JsonNode problem = assertProblem(gw.admin.post(DRILLS, body), 409, "conflict");
      assertDetail(problem, "this cluster has 1 Up node", "ORCH_MODE=cluster");
    }
  }

  @Test
  void readsRefuseBadIdsAndLimits() {
    assertDetail(
        assertProblem(
            gw.admin.get(DRILLS + "/0b7c6a2e-0000-4000-8000-000000000000"), 404, "not-found"),
        "there is no drill 0b7c6a2e-0000-4000-8000-000000000000");
    assertDetail(
        assertProblem(gw.admin.get(DRILLS + "/bad%20id"), 400, "validation"), "is not a drill id");
    for (String limit : new String[] {"0", "101", "x", "-1"}) {
      assertDetail(
          assertProblem(gw.admin.get(DRILLS + "?limit=" + limit), 400, "validation"),
          "limit must be a whole number from 1 to 100");
    }
    HttpResponse<String> list = gw.admin.get(DRILLS);
    assertEquals(200, list.statusCode(), list::body);
    assertEquals(0, Api.json(list).path("items").size(), list.body());
  }

  @Test
  void aReadNeedsOnlyViewerAndAStartNeedsAdmin() throws Exception {
    GatewayFixture.Issued operator = gw.issue("drill-operator", "operator");
    JsonNode problem =
        assertProblem(
            gw.admin.as(operator.token()).post(DRILLS, "{\"type\":\"node-crash\"}"),
            403,
            "forbidden");
    assertDetail(problem, "the admin role");
    GatewayFixture.Issued viewer = gw.issue("drill-viewer", "viewer");
    assertEquals(200, gw.admin.as(viewer.token()).get(DRILLS).statusCode());
  }
}
