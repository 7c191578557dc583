package dev.orchestrator.gateway;

import static dev.orchestrator.gateway.GatewayFixture.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orchestrator.gateway.GatewayFixture.Issued;
import dev.orchestrator.node.testkit.Api;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway builds the API's routes once per caller and reuses them: callers of different roles
 * taking turns on the same paths must each still get their own role's answer, and every mutating
 * call must still be in the audit trail when its answer arrives.
 */
class CallerRoutesTest {
  private static final String COMMANDS = "/api/v1/commands";
  private static final String NOOP = "{\"name\":\"noop\"}";

  private static GatewayFixture gw;
  private static Issued viewer;
  private static Issued operator;

  @BeforeAll
  static void startNode() throws Exception {
    gw = GatewayFixture.start("caller-routes");
    viewer = gw.issue("routes-viewer", "viewer");
    operator = gw.issue("routes-operator", "operator");
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (gw != null) {
      gw.stop();
    }
  }

  @Test
  void eachCallerGetsItsOwnRolesAnswerWhateverCameBefore() {
    Api asViewer = gw.admin.as(viewer.token());
    Api asOperator = gw.admin.as(operator.token());
    for (int round = 0; round < 3; round++) {
      long commands = commandsSubmitted();

      long marker = gw.lastAuditId();
      HttpResponse<String> accepted = asOperator.post(COMMANDS, NOOP);
      assertEquals(202, accepted.statusCode(), accepted::body);
      gw.assertAudited(marker, "POST", COMMANDS, operator.name(), "operator", 202, "success");

      marker = gw.lastAuditId();
      assertProblem(asViewer.post(COMMANDS, NOOP), 403, "forbidden");
      gw.assertAudited(marker, "POST", COMMANDS, viewer.name(), "viewer", 403, "denied");

      marker = gw.lastAuditId();
      assertProblem(gw.raw("POST", COMMANDS, NOOP, null), 401, "unauthorized");
      gw.assertAudited(marker, "POST", COMMANDS, "anonymous", null, 401, "denied");

      marker = gw.lastAuditId();
      assertProblem(gw.raw("POST", COMMANDS, NOOP, "Bearer orch_unknown"), 401, "unauthorized");
      gw.assertAudited(marker, "POST", COMMANDS, "anonymous", null, 401, "denied");

      // The viewer may read what the operator may write, on the same route class.
      assertEquals(200, asViewer.get(COMMANDS + "/counts").statusCode());
      // Only the operator's submit of this round was stored.
      assertEquals(commands + 1, commandsSubmitted(), "commands stored in round " + round);
    }
  }

  private static long commandsSubmitted() {
    return gw.queryLong(
        "SELECT count(*) FROM event_journal WHERE persistence_id LIKE 'Command|%'"
            + " AND sequence_number = 1");
  }

  /** Paths other than the commands' share the cache too: a refusal is still a refusal. */
  @Test
  void aViewerIsRefusedAnAdminCallAfterAnAdminMadeIt() {
    for (String token : List.of(viewer.token(), operator.token())) {
      HttpResponse<String> issued =
          gw.admin.post("/api/v1/tokens", "{\"name\":\"routes-issued\",\"role\":\"viewer\"}");
      assertEquals(201, issued.statusCode(), issued::body);
      assertProblem(
          gw.admin
              .as(token)
              .post("/api/v1/tokens", "{\"name\":\"routes-refused\",\"role\":\"viewer\"}"),
          403,
          "forbidden");
    }
  }
}
