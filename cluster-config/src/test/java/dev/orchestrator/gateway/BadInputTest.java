package dev.orchestrator.gateway;

import static dev.orchestrator.gateway.GatewayFixture.assertDetail;
import static dev.orchestrator.gateway.GatewayFixture.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whatever a client sends wrong, the answer is a 4xx problem+json that says what is wrong, and
 * nothing is persisted: no event in the journal, no token row.
 */
class BadInputTest {
  private static final String ADMIN_ACTOR = "admin (ORCH_ADMIN_TOKEN)";
  private static final String TWO_MIB = "a".repeat(2 * 1024 * 1024);

  private static GatewayFixture gw;

  @BeforeAll
  static void startNode() throws Exception {
    gw = GatewayFixture.start("bad-input");
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (gw != null) {
      gw.stop();
    }
  }

  /**
   * A bad registration.
   *
   * @param id the component id in the path
   * @param validId whether {@code id} itself is acceptable (then GET must say 404, else 400)
   * @param fragments what the detail must mention
   */
  record BadPut(
      String label,
      String id,
      boolean validId,
      String body,
      int status,
      String slug,
      List<String> fragments) {
    @Override
    public String toString() {
      return label;
    }
  }

  static Stream<BadPut> badRegistrations() {
    String simulated = "{\"driver\":\"simulated\"}";
    return Stream.of(
        new BadPut(
            "malformed JSON",
            "bad-json",
            true,
            "{\"driver\":",
            400,
            "malformed-json",
            List.of("not valid JSON")),
        new BadPut(
            "driver is a number",
            "bad-driver-type",
            true,
            "{\"driver\": 5}",
            400,
            "malformed-json",
            List.of("driver")),
        new BadPut(
            "groups is a string",
            "bad-groups-type",
            true,
            "{\"groups\": \"x\"}",
            400,
            "malformed-json",
            List.of("groups", "array")),
        new BadPut(
            "pollInterval is a number",
            "bad-poll-type",
            true,
            "{\"driver\":\"simulated\",\"pollInterval\": 10}",
            400,
            "malformed-json",
            List.of("pollInterval")),
        new BadPut(
            "dependsOn is an object",
            "bad-depends-type",
            true,
            "{\"driver\":\"simulated\",\"dependsOn\": {}}",
            400,
            "malformed-json",
            List.of("dependsOn")),
        new BadPut(
            "unknown field",
            "bad-field",
            true,
            "{\"driver\":\"simulated\",\"colour\":\"red\"}",
            400,
            "malformed-json",
            List.of("colour", "driver")),
        new BadPut("empty body", "bad-empty", true, "", 400, "malformed-json", List.of("body")),
        new BadPut(
            "JSON null", "bad-null", true, "null", 400, "malformed-json", List.of("body", "null")),
        new BadPut(
            "driver is a boolean",
            "bad-driver-bool",
            true,
            "{\"driver\": true}",
            400,
            "malformed-json",
            List.of("driver")),
        new BadPut(
            "JSON array",
            "bad-array",
            true,
            "[]",
            400,
            "malformed-json",
            List.of("body", "object")),
        new BadPut(
            "id of 65 characters",
            "x".repeat(65),
            false,
            simulated,
            400,
            "validation",
            List.of("component id", "65")),
        new BadPut(
            "id with bad characters",
            "bad$id",
            false,
            simulated,
            400,
            "validation",
            List.of("bad$id", "may contain only")),
        new BadPut(
            "id starting with a dot",
            ".hidden",
            false,
            simulated,
            400,
            "validation",
            List.of(".hidden")),
        new BadPut(
            "no driver",
            "bad-no-driver",
            true,
            "{}",
            400,
            "validation",
            List.of("driver is required")),
        new BadPut(
            "unknown driver",
            "bad-driver",
            true,
            "{\"driver\":\"ftp\"}",
            400,
            "validation",
            List.of("driver 'ftp'", "http", "simulated")),
        new BadPut(
            "http driver without endpoint",
            "bad-no-endpoint",
            true,
            "{\"driver\":\"http\"}",
            400,
            "validation",
            List.of("endpoint is required")),
        new BadPut(
            "endpoint that is not a URL",
            "bad-endpoint",
            true,
            "{\"driver\":\"http\",\"endpoint\":\"not a url\"}",
            400,
            "validation",
            List.of("endpoint 'not a url'")),
        new BadPut(
            "endpoint that is not http",
            "bad-endpoint-scheme",
            true,
            "{\"driver\":\"http\",\"endpoint\":\"ftp://host/x\"}",
            400,
            "validation",
            List.of("endpoint", "http://")),
        new BadPut(
            "endpoint for the simulated driver",
            "bad-simulated-endpoint",
            true,
            "{\"driver\":\"simulated\",\"endpoint\":\"http://h:1\"}",
            400,
            "validation",
            List.of("endpoint is only for the http driver")),
        new BadPut(
            "pollInterval abc",
            "bad-poll",
            true,
            "{\"driver\":\"simulated\",\"pollInterval\":\"abc\"}",
            400,
            "validation",
            List.of("pollInterval", "'abc'")),
        new BadPut(
            "pollInterval too short",
            "bad-poll-short",
            true,
            "{\"driver\":\"simulated\",\"pollInterval\":\"10ms\"}",
            400,
            "validation",
            List.of("pollInterval", "100ms")),
        new BadPut(
            "bad group name",
            "bad-group",
            true,
            "{\"driver\":\"simulated\",\"groups\":[\"no spaces\"]}",
            400,
            "validation",
            List.of("groups", "no spaces")),
        new BadPut(
            "depends on itself",
            "bad-self",
            true,
            "{\"driver\":\"simulated\",\"dependsOn\":[\"bad-self\"]}",
            400,
            "validation",
            List.of("dependsOn", "itself")),
        new BadPut(
            "a 2 MiB body",
            "bad-huge",
            true,
            "{\"driver\":\"simulated\",\"groups\":[\"" + TWO_MIB + "\"]}",
            413,
            "payload-too-large",
            List.of("limit", "1 MiB")));
  }

  @ParameterizedTest(name = "PUT component: {0}")
  @MethodSource("badRegistrations")
  void aBadRegistrationPersistsNothing(BadPut bad) {
    String path = "/api/v1/components/" + bad.id();
    long marker = gw.lastAuditId();

    HttpResponse<String> response = gw.admin.put(path, bad.body());

    JsonNode problem = assertProblem(response, bad.status(), bad.slug());
    assertDetail(problem, bad.fragments().toArray(String[]::new));
    gw.assertAudited(marker, "PUT", path, ADMIN_ACTOR, "admin", bad.status(), "rejected");
    assertEquals(0, gw.journalRows(bad.id()), "journal rows of " + bad.id());
    HttpResponse<String> read = gw.admin.get(path);
    if (bad.validId()) {
      assertDetail(assertProblem(read, 404, "not-found"), "not registered");
    } else {
      assertDetail(assertProblem(read, 400, "validation"), "component id");
    }
  }

  /** A bad token request; {@code name} is what must not appear in {@code api_tokens}. */
  record BadPost(
      String label, String name, String body, int status, String slug, List<String> fragments) {
    @Override
    public String toString() {
      return label;
    }
  }

  static Stream<BadPost> badTokenRequests() {
    return Stream.of(
        new BadPost(
            "malformed JSON", "t", "{\"name\":", 400, "malformed-json", List.of("not valid JSON")),
        new BadPost(
            "name is a number",
            "5",
            "{\"name\": 5, \"role\":\"viewer\"}",
            400,
            "malformed-json",
            List.of("name")),
        new BadPost(
            "role is an array",
            "bad-role-type",
            "{\"name\":\"bad-role-type\",\"role\":[\"viewer\"]}",
            400,
            "malformed-json",
            List.of("role")),
        new BadPost(
            "unknown field",
            "bad-field",
            "{\"name\":\"bad-field\",\"role\":\"viewer\",\"scope\":\"all\"}",
            400,
            "malformed-json",
            List.of("scope", "role")),
        new BadPost("empty body", "", "", 400, "malformed-json", List.of("body")),
        new BadPost("JSON null", "", "null", 400, "malformed-json", List.of("body")),
        new BadPost(
            "no name",
            "",
            "{\"role\":\"viewer\"}",
            400,
            "validation",
            List.of("name must not be empty")),
        new BadPost(
            "name of 65 characters",
            "y".repeat(65),
            "{\"name\":\"" + "y".repeat(65) + "\",\"role\":\"viewer\"}",
            400,
            "validation",
            List.of("name", "65")),
        new BadPost(
            "name with bad characters",
            "bad$name",
            "{\"name\":\"bad$name\",\"role\":\"viewer\"}",
            400,
            "validation",
            List.of("bad$name")),
        new BadPost(
            "no role",
            "bad-no-role",
            "{\"name\":\"bad-no-role\"}",
            400,
            "validation",
            List.of("role must be one of")),
        new BadPost(
            "unknown role",
            "bad-role",
            "{\"name\":\"bad-role\",\"role\":\"root\"}",
            400,
            "validation",
            List.of("role", "viewer", "operator", "admin")),
        new BadPost(
            "bad expiresIn",
            "bad-expiry",
            "{\"name\":\"bad-expiry\",\"role\":\"viewer\",\"expiresIn\":\"abc\"}",
            400,
            "validation",
            List.of("expiresIn", "'abc'")),
        new BadPost(
            "a 2 MiB body",
            "bad-huge",
            "{\"name\":\"bad-huge\",\"role\":\"viewer\",\"expiresIn\":\"" + TWO_MIB + "\"}",
            413,
            "payload-too-large",
            List.of("limit", "1 MiB")));
  }

  @ParameterizedTest(name = "POST token: {0}")
  @MethodSource("badTokenRequests")
  void aBadTokenRequestIssuesNothing(BadPost bad) {
    long tokensBefore = gw.queryLong("SELECT count(*) FROM api_tokens");
    long marker = gw.lastAuditId();

    HttpResponse<String> response = gw.admin.post("/api/v1/tokens", bad.body());

    JsonNode problem = assertProblem(response, bad.status(), bad.slug());
    assertDetail(problem, bad.fragments().toArray(String[]::new));
    gw.assertAudited(
        marker, "POST", "/api/v1/tokens", ADMIN_ACTOR, "admin", bad.status(), "rejected");
    assertEquals(tokensBefore, gw.queryLong("SELECT count(*) FROM api_tokens"), "token rows");
    assertTrue(
        gw.dump("api_tokens").stream().noneMatch(row -> row.contains("name=" + bad.name() + " ")),
        "a token named '" + bad.name() + "' was stored");
  }

  static Stream<Arguments> badQueries() {
    return Stream.of(
        Arguments.of("/api/v1/components?limit=0", List.of("limit", "'0'")),
        Arguments.of("/api/v1/components?limit=abc", List.of("limit", "'abc'")),
        Arguments.of("/api/v1/components?limit=1001", List.of("limit", "1000")),
        Arguments.of("/api/v1/components?limit=-1", List.of("limit")),
        Arguments.of("/api/v1/components?state=NOPE", List.of("state 'NOPE'", "UNKNOWN")),
        Arguments.of("/api/v1/components?group=bad$group", List.of("group", "bad$group")),
        Arguments.of("/api/v1/audit?limit=0", List.of("limit")),
        Arguments.of("/api/v1/audit?limit=abc", List.of("limit", "'abc'")),
        Arguments.of("/api/v1/audit?before=abc", List.of("before", "'abc'")));
  }

  @ParameterizedTest(name = "GET {0}")
  @MethodSource("badQueries")
  void aBadQueryParameterIs400(String path, List<String> fragments) {
    JsonNode problem = assertProblem(gw.admin.get(path), 400, "validation");
    assertDetail(problem, fragments.toArray(String[]::new));
  }

  @Test
  void anUnknownPathIs404() {
    for (String path :
        List.of("/api/v1/nope", "/nope", "/api/v2/components", "/api/v1/components/a/b")) {
      assertDetail(assertProblem(gw.admin.get(path), 404, "not-found"), "no such path");
    }
    // Without a token as well: nothing there to protect.
    assertProblem(gw.admin.as(null).get("/nope"), 404, "not-found");
  }

  @Test
  void aWrongMethodIs405AndAudited() {
    record Wrong(String method, String path, String body, List<String> allowed) {}
    List<Wrong> wrong =
        List.of(
            new Wrong("PATCH", "/api/v1/components/x", "{}", List.of("GET", "PUT", "DELETE")),
            new Wrong("POST", "/api/v1/cluster", "{}", List.of("GET")),
            new Wrong("PUT", "/api/v1/tokens", "{}", List.of("POST", "GET")),
            new Wrong("POST", "/api/v1/components", "{}", List.of("GET")),
            new Wrong("DELETE", "/api/v1/audit", null, List.of("GET")));
    for (Wrong w : wrong) {
      long marker = gw.lastAuditId();
      HttpResponse<String> response = gw.admin.send(w.method(), w.path(), w.body());
      JsonNode problem = assertProblem(response, 405, "method-not-allowed");
      assertDetail(problem, w.allowed().toArray(String[]::new));
      gw.assertAudited(marker, w.method(), w.path(), ADMIN_ACTOR, "admin", 405, "rejected");
    }
    assertEquals(0, gw.journalRows("x"));
    // A wrong method on a health path is a 405 too.
    assertProblem(gw.admin.as(null).post("/health/alive", "{}"), 405, "method-not-allowed");
  }

  @Test
  void revokingWhatIsNoTokenId() {
    long marker = gw.lastAuditId();
    JsonNode problem =
        assertProblem(gw.admin.delete("/api/v1/tokens/not-a-uuid"), 400, "validation");
    assertDetail(problem, "'not-a-uuid'", "UUID");
    gw.assertAudited(
        marker, "DELETE", "/api/v1/tokens/not-a-uuid", ADMIN_ACTOR, "admin", 400, "rejected");

    String unknown = "/api/v1/tokens/00000000-0000-0000-0000-000000000000";
    assertDetail(assertProblem(gw.admin.delete(unknown), 404, "not-found"), "no live token");
  }

  @Test
  void deletingAnUnknownComponentIs404AndPersistsNothing() {
    String path = "/api/v1/components/never-registered";
    long marker = gw.lastAuditId();
    JsonNode problem = assertProblem(gw.admin.delete(path), 404, "not-found");
    assertDetail(problem, "never-registered", "not registered");
    gw.assertAudited(marker, "DELETE", path, ADMIN_ACTOR, "admin", 404, "rejected");
    assertEquals(0, gw.journalRows("never-registered"));
    assertProblem(gw.admin.get(path), 404, "not-found");
    // An invalid id is refused before any entity is asked.
    assertDetail(
        assertProblem(gw.admin.delete("/api/v1/components/bad$id"), 400, "validation"), "bad$id");
  }

  @Test
  void theServerStillWorksAfterTheBadInput() {
    // A refused 2 MiB upload must not leave the connection or the node in a bad state.
    assertProblem(
        gw.admin.put("/api/v1/components/after-huge", "{\"driver\":\"" + TWO_MIB + "\"}"),
        413,
        "payload-too-large");
    HttpResponse<String> ok =
        gw.admin.put("/api/v1/components/after-huge", "{\"driver\":\"simulated\"}");
    assertEquals(200, ok.statusCode(), ok::body);
    assertEquals("after-huge", Api.json(ok).path("id").asText());
    assertEquals(1, gw.definitionRows("after-huge"));
  }
}
