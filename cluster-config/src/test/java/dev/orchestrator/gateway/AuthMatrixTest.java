package dev.orchestrator.gateway;

import static dev.orchestrator.gateway.GatewayFixture.assertDetail;
import static dev.orchestrator.gateway.GatewayFixture.assertProblem;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.gateway.GatewayFixture.Issued;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every route of the gateway against every kind of caller: no token, an unknown token, a header
 * that is not a bearer token, a token one role too low, the right role. Mutating calls must be in
 * the audit trail whatever their outcome, and a refused call must change nothing.
 */
class AuthMatrixTest {
  private static final String SIMULATED = "{\"driver\":\"simulated\"}";
  private static final String FAST_SIMULATED =
      "{\"driver\":\"simulated\",\"pollInterval\":\"100ms\"}";
  private static final String SEEN = "matrix-seen";
  private static final String COMMANDS = "/api/v1/commands";
  private static final String DRILLS = "/api/v1/drills";
  private static final Set<String> MUTATING = Set.of("PUT", "POST", "DELETE", "PATCH");

  private static GatewayFixture gw;
  private static Issued viewer;
  private static Issued operator;
  private static Issued admin;
  private static String seenCommand;

  @BeforeAll
  static void startNode() throws Exception {
    gw = GatewayFixture.start("auth");
    viewer = gw.issue("matrix-viewer", "viewer");
    operator = gw.issue("matrix-operator", "operator");
    admin = gw.issue("matrix-admin", "admin");
    gw.register(SEEN, SIMULATED);
    HttpResponse<String> submitted = gw.admin.post(COMMANDS, "{\"name\":\"noop\"}");
    assertEquals(202, submitted.statusCode(), submitted::body);
    seenCommand = Api.json(submitted).path("id").asText();
  }

  /** The id that a submit with this idempotency key gets (CommandRoutes derives it). */
  private static String commandIdFor(String idempotencyKey) {
    return UUID.nameUUIDFromBytes(
            ("idempotency:" + idempotencyKey).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  private static long commandEvents(String commandId) {
    return gw.queryLong(
        "SELECT count(*) FROM event_journal WHERE persistence_id = 'Command|" + commandId + "'");
  }

  /** A command that waits an hour, so that a cancel finds it pending. */
  private static String scheduledCommand(String idempotencyKey) {
    String at = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
    HttpResponse<String> submitted =
        gw.admin.post(
            COMMANDS,
            "{\"name\":\"noop\",\"scheduledAt\":\""
                + at
                + "\",\"idempotencyKey\":\""
                + idempotencyKey
                + "\"}");
    assertEquals(202, submitted.statusCode(), submitted::body);
    String id = Api.json(submitted).path("id").asText();
    assertEquals(commandIdFor(idempotencyKey), id);
    return id;
  }

  private static String commandStatus(String commandId) {
    HttpResponse<String> read = gw.admin.get(COMMANDS + "/" + commandId);
    assertEquals(200, read.statusCode(), read::body);
    return Api.json(read).path("status").asText();
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (gw != null) {
      gw.stop();
    }
  }

  /** Who calls. */
  enum Auth {
    NO_TOKEN,
    UNKNOWN_TOKEN,
    MALFORMED_HEADER,
    ONE_ROLE_TOO_LOW,
    RIGHT_ROLE,
    HIGHER_ROLE
  }

  /** After a call: did it have its effect, or none at all when refused. */
  interface Effect {
    void check(String key, String path, boolean allowed);
  }

  /**
   * One route.
   *
   * @param prepare makes what the call needs (a component, a token) and returns the path
   * @param body request body for this case key, or null
   */
  record Call(
      String name,
      String method,
      String needed,
      int okStatus,
      Function<String, String> prepare,
      Function<String, String> body,
      Effect effect) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final Effect NONE = (key, path, allowed) -> {};

  static List<Call> calls() {
    return List.of(
        new Call("GET cluster", "GET", "viewer", 200, k -> "/api/v1/cluster", k -> null, NONE),
        new Call(
            "GET components", "GET", "viewer", 200, k -> "/api/v1/components", k -> null, NONE),
        new Call(
            "GET component",
            "GET",
            "viewer",
            200,
            k -> "/api/v1/components/" + SEEN,
            k -> null,
            NONE),
        new Call(
            "PUT component",
            "PUT",
            "admin",
            200,
            k -> "/api/v1/components/" + k,
            k -> SIMULATED,
            (k, path, allowed) -> {
              assertEquals(allowed ? 1 : 0, gw.definitionRows(k), "definition rows of " + k);
              if (!allowed) {
                assertEquals(0, gw.journalRows(k), "journal rows of " + k);
              }
              assertEquals(allowed ? 200 : 404, gw.admin.get(path).statusCode(), "GET " + path);
            }),
        new Call(
            "DELETE component",
            "DELETE",
            "admin",
            204,
            k -> {
              gw.register(k, SIMULATED);
              return "/api/v1/components/" + k;
            },
            k -> null,
            (k, path, allowed) ->
                assertEquals(allowed ? 404 : 200, gw.admin.get(path).statusCode(), "GET " + path)),
        new Call(
            "GET component history",
            "GET",
            "viewer",
            200,
            k -> "/api/v1/components/" + SEEN + "/history",
            k -> null,
            NONE),
        new Call(
            "POST component lifecycle",
            "POST",
            "operator",
            202,
            k -> {
              gw.register(k, FAST_SIMULATED);
              gw.awaitState(k, "STOPPED");
              return "/api/v1/components/" + k + "/lifecycle";
            },
            k -> "{\"command\":\"CMD_INITIALIZED\"}",
            (k, path, allowed) ->
                assertEquals(
                    allowed ? 1 : 0,
                    gw.eventRows(k, "LifecycleRequested"),
                    "LifecycleRequested of " + k)),
        new Call(
            "POST component simulate",
            "POST",
            "operator",
            200,
            k -> {
              gw.register(k, FAST_SIMULATED);
              return "/api/v1/components/" + k + "/simulate";
            },
            k -> "{\"fault\":\"slow\"}",
            (k, path, allowed) -> {
              assertEquals(
                  allowed ? 1 : 0, gw.eventRows(k, "FaultInjected"), "FaultInjected of " + k);
              HttpResponse<String> read = gw.admin.get("/api/v1/components/" + k);
              assertEquals(allowed ? "slow" : "none", Api.json(read).path("fault").asText());
            }),
        new Call(
            "POST tokens",
            "POST",
            "admin",
            201,
            k -> "/api/v1/tokens",
            k -> "{\"name\":\"" + k + "\",\"role\":\"viewer\"}",
            (k, path, allowed) ->
                assertEquals(
                    allowed ? 1 : 0,
                    gw.queryLong("SELECT count(*) FROM api_tokens WHERE name = '" + k + "'"),
                    "tokens named " + k)),
        new Call("GET tokens", "GET", "admin", 200, k -> "/api/v1/tokens", k -> null, NONE),
        new Call(
            "DELETE token",
            "DELETE",
            "admin",
            204,
            k -> "/api/v1/tokens/" + gw.issue(k, "viewer").id(),
            k -> null,
            (k, path, allowed) ->
                assertEquals(
                    allowed ? 1 : 0,
                    gw.queryLong(
                        "SELECT count(*) FROM api_tokens WHERE name = '"
                            + k
                            + "' AND revoked_at IS NOT NULL"),
                    "revoked tokens named " + k)),
        new Call("GET audit", "GET", "admin", 200, k -> "/api/v1/audit", k -> null, NONE),
        new Call(
            "POST command",
            "POST",
            "operator",
            202,
            k -> COMMANDS,
            k -> "{\"name\":\"noop\",\"idempotencyKey\":\"" + k + "\"}",
            (k, path, allowed) -> {
              String id = commandIdFor(k);
              if (allowed) {
                assertTrue(commandEvents(id) >= 1, "events of command " + id);
              } else {
                assertEquals(0, commandEvents(id), "events of command " + id);
              }
              assertEquals(
                  allowed ? 200 : 404,
                  gw.admin.get(COMMANDS + "/" + id).statusCode(),
                  "GET command " + id);
            }),
        new Call("GET commands", "GET", "viewer", 200, k -> COMMANDS, k -> null, NONE),
        new Call(
            "GET command counts", "GET", "viewer", 200, k -> COMMANDS + "/counts", k -> null, NONE),
        new Call(
            "GET command",
            "GET",
            "viewer",
            200,
            k -> COMMANDS + "/" + seenCommand,
            k -> null,
            NONE),
        new Call(
            "POST command cancel",
            "POST",
            "operator",
            200,
            k -> COMMANDS + "/" + scheduledCommand(k) + "/cancel",
            k -> "{\"reason\":\"" + k + "\"}",
            (k, path, allowed) -> {
              String id = commandIdFor(k);
              assertEquals(allowed ? "CANCELLED" : "SCHEDULED", commandStatus(id), "command " + id);
              assertEquals(allowed ? 2 : 1, commandEvents(id), "events of command " + id);
            }),
        // A dev node is a cluster of one: the right role gets past auth to the drill's refusal.
        new Call(
            "POST drill",
            "POST",
            "admin",
            409,
            k -> DRILLS,
            k -> "{\"type\":\"singleton-handover\"}",
            (k, path, allowed) ->
                assertEquals(0, gw.queryLong("SELECT count(*) FROM drills"), "drills stored")),
        new Call("GET drills", "GET", "viewer", 200, k -> DRILLS, k -> null, NONE),
        new Call(
            "GET drill",
            "GET",
            "viewer",
            404,
            k -> DRILLS + "/00000000-0000-0000-0000-000000000000",
            k -> null,
            NONE));
  }

  static Stream<Arguments> matrix() {
    List<Arguments> cases = new ArrayList<>();
    List<Call> calls = new ArrayList<>(calls());
    calls.addAll(ScenarioAuthCalls.calls(() -> gw));
    for (Call call : calls) {
      for (Auth auth : Auth.values()) {
        boolean lowest = call.needed().equals("viewer");
        boolean highest = call.needed().equals("admin");
        if ((auth == Auth.ONE_ROLE_TOO_LOW && lowest) || (auth == Auth.HIGHER_ROLE && highest)) {
          continue; // no role below viewer, none above admin
        }
        cases.add(Arguments.of(call, auth));
      }
    }
    return cases.stream();
  }

  /** The token a case sends, or null for none. */
  private static Issued token(Call call, Auth auth) {
    int needed = List.of("viewer", "operator", "admin").indexOf(call.needed());
    List<Issued> byRank = List.of(viewer, operator, admin);
    return switch (auth) {
      case ONE_ROLE_TOO_LOW -> byRank.get(needed - 1); // not generated for viewer routes
      case RIGHT_ROLE -> byRank.get(needed);
      case HIGHER_ROLE -> byRank.get(needed + 1); // not generated for admin routes
      default -> null;
    };
  }

  private static String header(Call call, Auth auth) {
    return switch (auth) {
      case NO_TOKEN -> null;
      case UNKNOWN_TOKEN -> "Bearer orch_thisTokenWasNeverIssued0123456789abcdefABCDEF";
      case MALFORMED_HEADER -> "Basic xyz";
      default -> "Bearer " + token(call, auth).token();
    };
  }

  @ParameterizedTest(name = "{0} with {1}")
  @MethodSource("matrix")
  void everyRouteChecksTheCaller(Call call, Auth auth) {
    String key =
        ("m-" + call.name() + "-" + auth.name())
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9]+", "-");
    String path = call.prepare().apply(key);
    long marker = gw.lastAuditId();

    HttpResponse<String> response =
        gw.raw(call.method(), path, call.body().apply(key), header(call, auth));

    int expected =
        switch (auth) {
          case NO_TOKEN, UNKNOWN_TOKEN, MALFORMED_HEADER -> 401;
          case ONE_ROLE_TOO_LOW -> 403;
          case RIGHT_ROLE, HIGHER_ROLE -> call.okStatus();
        };
    if (expected == 401) {
      JsonNode problem = assertProblem(response, 401, "unauthorized");
      String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
      assertTrue(challenge.startsWith("Bearer"), "WWW-Authenticate: '" + challenge + "'");
      switch (auth) {
        case NO_TOKEN -> assertDetail(problem, "Authorization");
        case UNKNOWN_TOKEN -> assertDetail(problem, "unknown");
        default -> assertDetail(problem, "Bearer");
      }
    } else if (expected == 403) {
      JsonNode problem = assertProblem(response, 403, "forbidden");
      assertDetail(problem, "the " + call.needed() + " role", token(call, auth).name());
    } else if (expected >= 400) {
      assertProblem(response, expected, expected == 404 ? "not-found" : "conflict");
    } else {
      assertEquals(expected, response.statusCode(), response::body);
      assertFalse(
          response.headers().firstValue("Content-Type").orElse("").contains("problem"),
          response::body);
    }

    if (MUTATING.contains(call.method())) {
      Issued caller = expected == 401 ? null : token(call, auth);
      gw.assertAudited(
          marker,
          call.method(),
          path,
          caller == null ? "anonymous" : caller.name(),
          caller == null ? null : roleOf(caller),
          expected,
          expected < 400 ? "success" : expected == 401 || expected == 403 ? "denied" : "rejected");
    }
    call.effect().check(key, path, expected < 400);
  }

  private static String roleOf(Issued token) {
    return token == viewer ? "viewer" : token == operator ? "operator" : "admin";
  }

  @Test
  void healthNeedsNoToken() {
    for (String path : List.of("/health/alive", "/health/ready")) {
      for (String header : new String[] {null, "Bearer not-a-token", "Basic xyz"}) {
        HttpResponse<String> response = gw.raw("GET", path, null, header);
        assertEquals(200, response.statusCode(), path + " with " + header + ": " + response.body());
        assertFalse(Api.json(response).path("status").asText().isBlank(), response::body);
      }
    }
  }

  @Test
  void refusedMutationsAreAuditedAsRejected() {
    Api asAdmin = gw.admin.as(admin.token());
    String componentPath = "/api/v1/components/audit-rejected";

    long marker = gw.lastAuditId();
    assertProblem(asAdmin.put(componentPath, "{\"driver\":\"ftp\"}"), 400, "validation");
    gw.assertAudited(marker, "PUT", componentPath, admin.name(), "admin", 400, "rejected");

    marker = gw.lastAuditId();
    assertProblem(
        asAdmin.post("/api/v1/tokens", "{\"name\":\"audit-rejected\",\"role\":\"root\"}"),
        400,
        "validation");
    gw.assertAudited(marker, "POST", "/api/v1/tokens", admin.name(), "admin", 400, "rejected");

    marker = gw.lastAuditId();
    assertProblem(asAdmin.delete("/api/v1/tokens/not-a-uuid"), 400, "validation");
    gw.assertAudited(
        marker, "DELETE", "/api/v1/tokens/not-a-uuid", admin.name(), "admin", 400, "rejected");

    // The static ORCH_ADMIN_TOKEN is audited under its own name.
    marker = gw.lastAuditId();
    assertProblem(gw.admin.delete(componentPath), 404, "not-found");
    gw.assertAudited(
        marker, "DELETE", componentPath, "admin (ORCH_ADMIN_TOKEN)", "admin", 404, "rejected");

    // ... and so are refusals that no route class produced.
    marker = gw.lastAuditId();
    assertProblem(asAdmin.post("/api/v1/cluster", "{}"), 405, "method-not-allowed");
    gw.assertAudited(marker, "POST", "/api/v1/cluster", admin.name(), "admin", 405, "rejected");
  }

  @Test
  void aRevokedTokenIsRefusedAtOnce() {
    Issued revokee = gw.issue("matrix-revokee", "operator");
    Api asRevokee = gw.admin.as(revokee.token());
    assertEquals(200, asRevokee.get("/api/v1/components").statusCode());

    String path = "/api/v1/tokens/" + revokee.id();
    long marker = gw.lastAuditId();
    assertEquals(204, gw.admin.as(admin.token()).delete(path).statusCode());
    gw.assertAudited(marker, "DELETE", path, admin.name(), "admin", 204, "success");

    HttpResponse<String> refused = asRevokee.get("/api/v1/components");
    JsonNode problem = assertProblem(refused, 401, "unauthorized");
    assertDetail(problem, "revoked");
    assertTrue(refused.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));

    // Listed as revoked; revoking again is a 404, not a silent success.
    JsonNode listed = listedToken(revokee.id());
    assertFalse(listed.path("revokedAt").isNull() || listed.path("revokedAt").isMissingNode());
    assertDetail(assertProblem(gw.admin.delete(path), 404, "not-found"), revokee.id());
    // Other tokens are not affected.
    assertEquals(200, gw.admin.as(viewer.token()).get("/api/v1/components").statusCode());
  }

  @Test
  void tokensAreStoredHashedAndNeverListed() throws Exception {
    Issued fresh = gw.issue("matrix-hashed", "viewer");
    List<String> secrets =
        List.of(
            viewer.token(), operator.token(), admin.token(), fresh.token(), TestNodes.ADMIN_TOKEN);
    for (String secret : secrets) {
      assertTrue(secret.length() >= 20, "a real secret: " + secret);
    }

    List<String> rows = gw.dump("api_tokens");
    assertFalse(rows.isEmpty());
    assertAll(
        secrets.stream()
            .map(
                secret ->
                    () ->
                        assertTrue(
                            rows.stream().noneMatch(row -> row.contains(secret)),
                            "api_tokens holds a token in clear text")));
    String hash =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest(fresh.token().getBytes(StandardCharsets.UTF_8)));
    assertEquals(
        1,
        gw.queryLong(
            "SELECT count(*) FROM api_tokens WHERE id = '"
                + fresh.id()
                + "' AND token_sha256 = '"
                + hash
                + "'"),
        "the stored value is the token's SHA-256");

    HttpResponse<String> list = gw.admin.get("/api/v1/tokens");
    assertEquals(200, list.statusCode(), list::body);
    assertAll(
        secrets.stream()
            .map(secret -> () -> assertFalse(list.body().contains(secret), "listed a secret")));
    assertFalse(list.body().contains(hash), "listed a hash");
    JsonNode items = Api.json(list).path("items");
    assertTrue(items.size() >= 4, list.body());
    items.forEach(
        item -> {
          assertFalse(item.has("token"), "listed a token field: " + item);
          assertFalse(item.has("tokenSha256") || item.has("token_sha256"), item.toString());
        });
    JsonNode listed = listedToken(fresh.id());
    assertEquals("matrix-hashed", listed.path("name").asText());
    assertEquals("viewer", listed.path("role").asText());
    assertEquals("admin (ORCH_ADMIN_TOKEN)", listed.path("createdBy").asText());
  }

  private static JsonNode listedToken(String id) {
    JsonNode items = Api.json(gw.admin.get("/api/v1/tokens")).path("items");
    for (JsonNode item : items) {
      if (item.path("id").asText().equals(id)) {
        return item;
      }
    }
    throw new AssertionError("token " + id + " is not listed: " + items);
  }
}
