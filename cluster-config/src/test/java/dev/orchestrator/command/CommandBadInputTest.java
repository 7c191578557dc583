package dev.orchestrator.command;

import static dev.orchestrator.command.CommandFixture.assertDetail;
import static dev.orchestrator.command.CommandFixture.assertProblem;
import static dev.orchestrator.command.CommandFixture.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Whatever a client sends wrong to {@code /api/v1/commands}, the answer is a 4xx problem+json whose
 * detail names the field, the refusal is audited, and nothing is persisted: not one command event.
 */
class CommandBadInputTest {
  private static final String ADMIN_ACTOR = "admin (ORCH_ADMIN_TOKEN)";
  private static final String TWO_MIB = "a".repeat(2 * 1024 * 1024);

  private static CommandFixture fx;

  @BeforeAll
  static void startNode() throws Exception {
    fx = CommandFixture.start("bad-input");
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (fx != null) {
      fx.stop();
    }
  }

  /** A bad submit: what is sent, and what the problem must say. */
  record Bad(String label, String body, int status, String slug, List<String> fragments) {
    @Override
    public String toString() {
      return label;
    }
  }

  private static Bad validation(String label, String body, String... fragments) {
    return new Bad(label, body, 400, "validation", List.of(fragments));
  }

  private static Bad malformed(String label, String body, String... fragments) {
    return new Bad(label, body, 400, "malformed-json", List.of(fragments));
  }

  /** {@code depth} levels of onSuccess below a noop. */
  private static String chain(int depth) {
    String json = "{\"name\":\"noop\"}";
    for (int i = 0; i < depth; i++) {
      json = "{\"name\":\"noop\",\"onSuccess\":" + json + "}";
    }
    return json;
  }

  static Stream<Bad> badSubmits() {
    return Stream.of(
        malformed("unknown field", "{\"name\":\"noop\",\"colour\":\"red\"}", "colour", "retries"),
        validation("an empty batch", "[]", "1 to 1000", "not 0"),
        validation(
            "a batch of 1001",
            "["
                + String.join(",", java.util.Collections.nCopies(1001, "{\"name\":\"noop\"}"))
                + "]",
            "1 to 1000",
            "1001"),
        validation(
            "a batch with one bad command",
            "[{\"name\":\"noop\"},{\"name\":\"noop\",\"retries\":-1}]",
            "[1]: ",
            "retries"),
        validation("a batch with a null", "[{\"name\":\"noop\"},null]", "[1] is null"),
        validation(
            "a batch with a bad timeout",
            "[{\"name\":\"noop\",\"timeout\":\"abc\"}]",
            "[0].timeout"),
        malformed("a batch of numbers", "[1,2]"),
        malformed("a batch with an unknown field", "[{\"name\":\"noop\",\"colour\":1}]", "colour"),
        malformed(
            "unknown field in backoff",
            "{\"name\":\"noop\",\"backoff\":{\"initial\":\"1s\",\"jitter\":\"full\"}}",
            "jitter",
            "factor"),
        malformed(
            "unknown field in onSuccess",
            "{\"name\":\"noop\",\"onSuccess\":{\"name\":\"noop\",\"colour\":1}}",
            "colour"),
        validation("negative retries", "{\"name\":\"noop\",\"retries\":-1}", "retries", "-1"),
        validation("retries 101", "{\"name\":\"noop\",\"retries\":101}", "retries", "100", "101"),
        validation("timeout abc", "{\"name\":\"noop\",\"timeout\":\"abc\"}", "timeout", "'abc'"),
        validation("timeout 0ms", "{\"name\":\"noop\",\"timeout\":\"0ms\"}", "timeout", "1ms"),
        validation("timeout 25h", "{\"name\":\"noop\",\"timeout\":\"25h\"}", "timeout", "24h"),
        validation(
            "scheduledAt tomorrow",
            "{\"name\":\"noop\",\"scheduledAt\":\"tomorrow\"}",
            "scheduledAt",
            "'tomorrow'"),
        validation("missing name", "{\"input\":{\"a\":1}}", "name is required"),
        validation("empty name", "{\"name\":\"\"}", "name is required"),
        validation("name with capitals", "{\"name\":\"Noop\"}", "name 'Noop'", "lower-case"),
        new Bad(
            "a 2 MiB input",
            "{\"name\":\"noop\",\"input\":{\"blob\":\"" + TWO_MIB + "\"}}",
            413,
            "payload-too-large",
            List.of("limit", "1 MiB")),
        validation("target GPU!", "{\"name\":\"noop\",\"target\":\"GPU!\"}", "target 'GPU!'"),
        validation(
            "backoff factor 0.5",
            "{\"name\":\"noop\",\"backoff\":{\"factor\":0.5}}",
            "backoff.factor"),
        validation(
            "backoff initial 0ms",
            "{\"name\":\"noop\",\"backoff\":{\"initial\":\"0ms\"}}",
            "backoff.initial"),
        validation(
            "backoff max below initial",
            "{\"name\":\"noop\",\"backoff\":{\"initial\":\"10s\",\"max\":\"1s\"}}",
            "backoff.max"),
        validation(
            "backoff initial abc",
            "{\"name\":\"noop\",\"backoff\":{\"initial\":\"abc\"}}",
            "backoff.initial",
            "'abc'"),
        validation(
            "idempotencyKey of 201 characters",
            "{\"name\":\"noop\",\"idempotencyKey\":\"" + "k".repeat(201) + "\"}",
            "idempotencyKey",
            "200"),
        validation(
            "empty idempotencyKey",
            "{\"name\":\"noop\",\"idempotencyKey\":\"\"}",
            "idempotencyKey"),
        validation("chain depth 9", chain(9), "at most 8"),
        validation(
            "timeout abc in onSuccess",
            "{\"name\":\"noop\",\"onSuccess\":{\"name\":\"noop\",\"timeout\":\"abc\"}}",
            "onSuccess.timeout"),
        validation(
            "retries -1 in onFailure",
            "{\"name\":\"noop\",\"onFailure\":{\"name\":\"noop\",\"retries\":-1}}",
            "onFailure.retries"),
        validation(
            "no name in onCancel",
            "{\"name\":\"noop\",\"onCancel\":{\"input\":1}}",
            "onCancel.name is required"),
        validation(
            "idempotencyKey in a chain",
            "{\"name\":\"noop\",\"onSuccess\":{\"name\":\"noop\",\"idempotencyKey\":\"x\"}}",
            "onSuccess.idempotencyKey"),
        malformed("retries is a string", "{\"name\":\"noop\",\"retries\":\"3\"}", "retries"),
        malformed("retries is a fraction", "{\"name\":\"noop\",\"retries\":1.5}", "retries"),
        malformed("name is a number", "{\"name\":5}", "name"),
        malformed("timeout is a number", "{\"name\":\"noop\",\"timeout\":30}", "timeout"),
        malformed("backoff is a string", "{\"name\":\"noop\",\"backoff\":\"fast\"}", "backoff"),
        malformed(
            "backoff factor is a string",
            "{\"name\":\"noop\",\"backoff\":{\"factor\":\"2\"}}",
            "factor"),
        malformed(
            "onSuccess is a string", "{\"name\":\"noop\",\"onSuccess\":\"noop\"}", "onSuccess"),
        malformed("malformed JSON", "{\"name\":", "not valid JSON"),
        malformed("empty body", "", "body"),
        malformed("JSON null", "null", "null"),
        malformed("a JSON string", "\"noop\"", "body"));
  }

  @ParameterizedTest(name = "POST command: {0}")
  @MethodSource("badSubmits")
  void aBadSubmitPersistsNothing(Bad bad) {
    long journalBefore = fx.commandJournalRows();
    long marker = lastAuditId();

    HttpResponse<String> response = fx.api.post("/api/v1/commands", bad.body());

    JsonNode problem = assertProblem(response, bad.status(), bad.slug());
    assertDetail(problem, bad.fragments().toArray(String[]::new));
    assertAudited(marker, "POST", "/api/v1/commands", bad.status());
    assertEquals(journalBefore, fx.commandJournalRows(), "command events in the journal");
  }

  static Stream<Arguments> badQueries() {
    return Stream.of(
        Arguments.of("/api/v1/commands?status=NOPE", List.of("status 'NOPE'", "SUCCEEDED")),
        Arguments.of("/api/v1/commands?limit=0", List.of("limit", "'0'")),
        Arguments.of("/api/v1/commands?limit=-1", List.of("limit", "'-1'")),
        Arguments.of("/api/v1/commands?limit=abc", List.of("limit", "'abc'")),
        Arguments.of("/api/v1/commands?limit=1001", List.of("limit", "1000")),
        Arguments.of("/api/v1/commands/bad$id", List.of("command id", "bad$id")),
        Arguments.of("/api/v1/commands/.hidden", List.of("command id", ".hidden")),
        Arguments.of("/api/v1/commands/" + "x".repeat(65), List.of("command id", "65")));
  }

  @ParameterizedTest(name = "GET {0}")
  @MethodSource("badQueries")
  void aBadQueryOrIdIs400(String path, List<String> fragments) {
    JsonNode problem = assertProblem(fx.api.get(path), 400, "validation");
    assertDetail(problem, fragments.toArray(String[]::new));
  }

  /**
   * "not..valid" is well-formed under the shared id rule (letters, digits, '_', '.', '-', starting
   * with a letter or digit), so it is an unknown command, not a bad request; and asking for it
   * creates nothing.
   */
  @Test
  void anIdWithTwoDotsIsWellFormedAndUnknown() {
    long journalBefore = fx.commandJournalRows();
    JsonNode problem = assertProblem(fx.api.get("/api/v1/commands/not..valid"), 404, "not-found");
    assertDetail(problem, "not..valid");
    assertProblem(fx.api.post("/api/v1/commands/not..valid/cancel", null), 404, "not-found");
    assertEquals(journalBefore, fx.commandJournalRows(), "command events in the journal");
  }

  @Test
  void unknownIdsAre404AndCreateNothing() {
    long journalBefore = fx.commandJournalRows();
    String unknown = UUID.randomUUID().toString();

    assertDetail(
        assertProblem(fx.api.get("/api/v1/commands/" + unknown), 404, "not-found"), unknown);

    long marker = lastAuditId();
    String cancelPath = "/api/v1/commands/" + unknown + "/cancel";
    assertDetail(assertProblem(fx.api.post(cancelPath, null), 404, "not-found"), unknown);
    assertAudited(marker, "POST", cancelPath, 404);

    marker = lastAuditId();
    String badCancel = "/api/v1/commands/bad$id/cancel";
    assertDetail(assertProblem(fx.api.post(badCancel, null), 400, "validation"), "command id");
    assertAudited(marker, "POST", badCancel, 400);

    assertEquals(journalBefore, fx.commandJournalRows(), "command events in the journal");
    assertEquals(0, fx.events(unknown).size(), "events of " + unknown);
    // Still unknown after the cancel: it did not create the command.
    assertProblem(fx.api.get("/api/v1/commands/" + unknown), 404, "not-found");
  }

  @Test
  void aBadCancelBodyCancelsNothing() {
    String scheduledAt =
        Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
    String id = fx.submit("{\"name\":\"noop\",\"scheduledAt\":\"" + scheduledAt + "\"}");
    String path = "/api/v1/commands/" + id + "/cancel";
    long journalBefore = fx.commandJournalRows();

    assertDetail(
        assertProblem(fx.api.post(path, "{\"reason\":5}"), 400, "malformed-json"), "reason");
    assertDetail(
        assertProblem(fx.api.post(path, "{\"why\":\"x\"}"), 400, "malformed-json"),
        "why",
        "reason");
    assertDetail(assertProblem(fx.api.post(path, "{\"reason\":"), 400, "malformed-json"), "JSON");

    assertEquals(journalBefore, fx.commandJournalRows(), "command events in the journal");
    assertStatus("SCHEDULED", fx.get(id));

    // A good cancel still works afterwards.
    HttpResponse<String> cancel = fx.api.post(path, "{\"reason\":\"cleanup\"}");
    assertEquals(200, cancel.statusCode(), cancel::body);
    assertStatus("CANCELLED", Api.json(cancel));
  }

  @Test
  void cancellingAFinishedCommandIs409AndChangesNothing() {
    String id = fx.submit("{\"name\":\"noop\",\"input\":{\"done\":true}}");
    assertStatus("SUCCEEDED", fx.awaitFinal(id));
    List<String> before = fx.eventTypes(id);

    long marker = lastAuditId();
    String path = "/api/v1/commands/" + id + "/cancel";
    JsonNode problem =
        assertProblem(fx.api.post(path, "{\"reason\":\"too late\"}"), 409, "conflict");
    assertDetail(problem, id, "SUCCEEDED");
    assertAudited(marker, "POST", path, 409);

    assertEquals(before, fx.eventTypes(id), "events after a refused cancel");
    assertStatus("SUCCEEDED", fx.get(id));
  }

  // ---------------------------------------------------------------- audit trail

  private static long lastAuditId() {
    return fx.queryLong("SELECT coalesce(max(id), 0) FROM audit_log");
  }

  /** Exactly one audit row for the call since {@code marker}, a rejection by the admin token. */
  private static void assertAudited(long marker, String method, String path, int status) {
    List<String> rows = new ArrayList<>();
    try (Connection c = fx.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT actor, role, status, outcome FROM audit_log"
                    + " WHERE id > ? AND method = ? AND path = ? ORDER BY id")) {
      s.setLong(1, marker);
      s.setString(2, method);
      s.setString(3, path);
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          rows.add(
              r.getString("actor")
                  + "|"
                  + r.getString("role")
                  + "|"
                  + r.getInt("status")
                  + "|"
                  + r.getString("outcome"));
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    assertEquals(
        List.of(ADMIN_ACTOR + "|admin|" + status + "|rejected"),
        rows,
        "audit rows for " + method + " " + path);
    assertTrue(status >= 400);
  }
}
