package dev.orchestrator.command;

import static dev.orchestrator.command.CommandFixture.DEADLINE;
import static dev.orchestrator.command.CommandFixture.accepted;
import static dev.orchestrator.command.CommandFixture.assertDetail;
import static dev.orchestrator.command.CommandFixture.assertProblem;
import static dev.orchestrator.command.CommandFixture.assertStatus;
import static dev.orchestrator.command.CommandFixture.instant;
import static dev.orchestrator.command.CommandFixture.isNull;
import static dev.orchestrator.command.CommandFixture.parse;
import static dev.orchestrator.command.CommandFixture.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.command.CommandFixture.Event;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.Ports;
import dev.orchestrator.node.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable commands over HTTP on one dev node: every status path, retries with backoff (checked in
 * the journal), timeouts, cancel of a pending and of a running command, chains, idempotent submits
 * under concurrency, routing to a role that only a second node has, and the read side's list and
 * counts.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CommandApiTest {
  private static CommandFixture fx;

  @TempDir static Path temp;

  @BeforeAll
  static void startNode() throws Exception {
    fx = CommandFixture.start("api");
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (fx != null) {
      fx.stop();
    }
  }

  private static String inAnHour() {
    return Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  // ---------------------------------------------------------------- SUCCEEDED

  @Test
  void noopSucceedsAndEchoesItsInputWhateverJsonItIs() {
    Map<String, String> inputs = new LinkedHashMap<>();
    inputs.put("object", "{\"hello\":\"world\",\"n\":[1,2,{\"deep\":true}],\"none\":null}");
    inputs.put("array", "[1,\"two\",3.5]");
    inputs.put("string", "\"just text\"");
    inputs.put("number", "42");
    Map<String, String> ids = new LinkedHashMap<>();
    for (Map.Entry<String, String> input : inputs.entrySet()) {
      String id = fx.submit("{\"name\":\"noop\",\"input\":" + input.getValue() + "}");
      // 202 only once the first event is committed: it must be in the journal already.
      List<String> types = fx.eventTypes(id);
      assertFalse(types.isEmpty(), "no event journaled for " + id + " when 202 was answered");
      assertEquals("Submitted", types.get(0), "first event of " + id);
      ids.put(input.getKey(), id);
    }
    String withoutInput = fx.submit("{\"name\":\"noop\"}");

    for (Map.Entry<String, String> entry : ids.entrySet()) {
      String id = entry.getValue();
      JsonNode view = fx.awaitFinal(id);
      assertStatus("SUCCEEDED", view);
      JsonNode expected = parse(inputs.get(entry.getKey()));
      assertEquals(expected, view.path("input"), entry.getKey() + " input of " + view);
      assertEquals(expected, view.path("output"), entry.getKey() + " output of " + view);
      assertEquals(id, view.path("id").asText());
      assertEquals("noop", view.path("name").asText());
      assertEquals("worker", view.path("target").asText(), "the default target role");
      assertEquals(1, view.path("attempts").asInt(), view::toString);
      assertEquals(1, view.path("maxAttempts").asInt(), view::toString);
      assertTrue(isNull(view, "error"), view::toString);
      assertTrue(isNull(view, "waitingFor"), view::toString);
      assertTrue(isNull(view, "parentId"), view::toString);
      assertTrue(isNull(view, "nextAttemptAt"), view::toString);
      assertEquals(0, view.path("children").size(), view::toString);
      Instant created = instant(view, "createdAt");
      Instant started = instant(view, "startedAt");
      Instant finished = instant(view, "finishedAt");
      assertFalse(started.isBefore(created), view::toString);
      assertFalse(finished.isBefore(started), view::toString);
      assertEquals(
          List.of("Submitted", "AttemptStarted", "Succeeded"),
          fx.eventTypes(id),
          "events of " + id);
    }
    JsonNode bare = fx.awaitFinal(withoutInput);
    assertStatus("SUCCEEDED", bare);
    assertTrue(bare.path("output").isNull(), "noop without input answers JSON null: " + bare);
  }

  @Test
  void aBatchIsAcknowledgedCommandByCommandInItsOrder() {
    StringBuilder batch = new StringBuilder("[");
    for (int i = 0; i < 50; i++) {
      batch.append(i == 0 ? "" : ",").append("{\"name\":\"noop\",\"input\":").append(i).append("}");
    }
    batch.append(",{\"name\":\"noop\",\"idempotencyKey\":\"batch-twice\",\"input\":\"first\"}");
    batch.append(",{\"name\":\"noop\",\"idempotencyKey\":\"batch-twice\",\"input\":\"second\"}]");

    HttpResponse<String> response = fx.api.post("/api/v1/commands", batch.toString());
    assertEquals(202, response.statusCode(), response::body);
    JsonNode items = parse(response.body()).path("items");
    assertEquals(52, items.size(), response::body);
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      String id = items.get(i).path("id").asText();
      assertTrue(ids.add(id), "ids are distinct: " + id);
      assertTrue(isNull(items.get(i), "error"), items.get(i)::toString);
      // Acknowledged only once committed: the first event is in the journal already.
      assertEquals("Submitted", fx.eventTypes(id).get(0), id);
    }
    assertEquals(
        items.get(50).path("id").asText(),
        items.get(51).path("id").asText(),
        "one idempotency key, one command, even within a batch");
    for (int i = 0; i < 50; i++) {
      JsonNode view = fx.awaitFinal(items.get(i).path("id").asText());
      assertStatus("SUCCEEDED", view);
      assertEquals(i, view.path("output").asInt(), "command " + i + " got its own input");
    }
    JsonNode twice = fx.awaitFinal(items.get(50).path("id").asText());
    assertEquals("first", twice.path("output").asText(), twice::toString);
    assertEquals(1, twice.path("attempts").asInt(), twice::toString);
  }

  // ---------------------------------------------------------------- FAILED

  @Test
  void failedAfterItsRetriesAreUsedUp() {
    String id =
        fx.submit(
            "{\"name\":\"fail\",\"input\":{\"times\":5},\"retries\":2,"
                + "\"backoff\":{\"initial\":\"50ms\"}}");
    JsonNode view = fx.awaitFinal(id);
    assertStatus("FAILED", view);
    assertEquals(3, view.path("attempts").asInt(), view::toString);
    assertEquals(3, view.path("maxAttempts").asInt(), view::toString);
    assertField(view, "error", "attempt 3");
    assertTrue(isNull(view, "output"), view::toString);
    assertNotNull(instant(view, "finishedAt"));
    assertEquals(
        List.of(
            "Submitted",
            "AttemptStarted",
            "AttemptFailed",
            "AttemptStarted",
            "AttemptFailed",
            "AttemptStarted",
            "Failed"),
        fx.eventTypes(id));
    List<Event> events = fx.events(id);
    assertEquals("FAILED", events.get(6).payload().path("status").asText(), events::toString);
    assertEquals(1, events.get(2).attempt(), events::toString);
    assertEquals(2, events.get(4).attempt(), events::toString);
  }

  /** Asserts that a text field of the view contains each fragment. */
  private static void assertField(JsonNode view, String field, String... fragments) {
    String text = view.path(field).asText("");
    for (String fragment : fragments) {
      assertTrue(text.contains(fragment), field + " '" + text + "' should mention " + fragment);
    }
  }

  // ---------------------------------------------------------------- TIMED_OUT

  @Test
  void timedOutWhenTheLastAttemptRunsPastTheTimeout() {
    String id =
        fx.submit(
            "{\"name\":\"sleep\",\"input\":{\"millis\":5000},\"timeout\":\"300ms\",\"retries\":1,"
                + "\"backoff\":{\"initial\":\"50ms\"}}");
    JsonNode view = fx.awaitFinal(id);
    assertStatus("TIMED_OUT", view);
    assertEquals(2, view.path("attempts").asInt(), view::toString);
    assertField(view, "error", "attempt 2", "timeout");
    // Each attempt was cut at 300ms: a sleep that ran to its end would take 5 s for attempt 1.
    Duration took = Duration.between(instant(view, "createdAt"), instant(view, "finishedAt"));
    assertTrue(took.compareTo(Duration.ofMillis(5000)) < 0, "took " + took + ": " + view);
    assertEquals(
        List.of("Submitted", "AttemptStarted", "AttemptFailed", "AttemptStarted", "Failed"),
        fx.eventTypes(id));
    List<Event> events = fx.events(id);
    assertTrue(events.get(2).payload().path("timedOut").asBoolean(), events::toString);
    assertEquals("TIMED_OUT", events.get(4).payload().path("status").asText(), events::toString);
  }

  // ---------------------------------------------------------------- NOT_FOUND

  @Test
  void anUnknownHandlerEndsNotFoundAtOnceAndNamesTheKnownOnes() {
    String id = fx.submit("{\"name\":\"no_such_handler\",\"retries\":3}");
    JsonNode view = fx.awaitFinal(id);
    assertStatus("NOT_FOUND", view);
    assertEquals(1, view.path("attempts").asInt(), "no retry for a missing handler: " + view);
    assertField(view, "error", "no_such_handler", "noop", "sleep", "fail", "http_request");
    assertEquals(List.of("Submitted", "AttemptStarted", "Failed"), fx.eventTypes(id));
  }

  // ---------------------------------------------------------------- CANCELLED

  @Test
  void aPendingCommandCancelledNeverRuns() {
    String scheduledAt = inAnHour();
    HttpResponse<String> submitted =
        accepted(
            fx.api.post(
                "/api/v1/commands", "{\"name\":\"noop\",\"scheduledAt\":\"" + scheduledAt + "\"}"));
    JsonNode answer = Api.json(submitted);
    String id = answer.path("id").asText();
    assertEquals("SCHEDULED", answer.path("status").asText(), submitted::body);

    JsonNode view = fx.get(id);
    assertStatus("SCHEDULED", view);
    assertEquals(Instant.parse(scheduledAt), instant(view, "scheduledAt"), view::toString);
    assertEquals(0, view.path("attempts").asInt(), view::toString);
    assertTrue(isNull(view, "startedAt"), view::toString);

    HttpResponse<String> cancel =
        fx.api.post("/api/v1/commands/" + id + "/cancel", "{\"reason\":\"not needed any more\"}");
    assertEquals(200, cancel.statusCode(), cancel::body);
    JsonNode cancelled = Api.json(cancel);
    assertStatus("CANCELLED", cancelled);
    assertEquals(0, cancelled.path("attempts").asInt(), cancelled::toString);
    assertTrue(isNull(cancelled, "startedAt"), cancelled::toString);
    assertNotNull(instant(cancelled, "finishedAt"));
    assertField(cancelled, "error", "not needed any more");

    JsonNode read = fx.get(id);
    assertStatus("CANCELLED", read);
    assertEquals(0, read.path("attempts").asInt(), read::toString);
    List<Event> events = fx.events(id);
    assertEquals(List.of("Submitted", "Cancelled"), events.stream().map(Event::type).toList());
    assertEquals("not needed any more", events.get(1).payload().path("reason").asText());

    // Finished: a second cancel is a conflict, and changes nothing.
    JsonNode conflict =
        assertProblem(fx.api.post("/api/v1/commands/" + id + "/cancel", null), 409, "conflict");
    assertDetail(conflict, id, "CANCELLED");
    assertEquals(2, fx.events(id).size(), () -> fx.events(id).toString());
  }

  /** Beyond the ~248 days that Akka's scheduler accepts as one delay. */
  @Test
  void aCommandScheduledYearsAheadWaitsAndCanBeCancelled() {
    String scheduledAt =
        Instant.now().plus(3 * 365, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS).toString();
    HttpResponse<String> submitted =
        accepted(
            fx.api.post(
                "/api/v1/commands", "{\"name\":\"noop\",\"scheduledAt\":\"" + scheduledAt + "\"}"));
    String id = Api.json(submitted).path("id").asText();
    assertEquals("SCHEDULED", Api.json(submitted).path("status").asText(), submitted::body);

    JsonNode view = fx.get(id);
    assertStatus("SCHEDULED", view);
    assertEquals(Instant.parse(scheduledAt), instant(view, "scheduledAt"), view::toString);

    HttpResponse<String> cancel = fx.api.post("/api/v1/commands/" + id + "/cancel", null);
    assertEquals(200, cancel.statusCode(), cancel::body);
    assertStatus("CANCELLED", Api.json(cancel));
    assertEquals(List.of("Submitted", "Cancelled"), fx.eventTypes(id));
  }

  @Test
  void aRunningCommandCancelledStopsCooperatively() {
    // A timeout far beyond the sleep: only the cancellation signal can end it early.
    String id =
        fx.submit(
            "{\"name\":\"sleep\",\"input\":{\"millis\":60000},\"timeout\":\"10m\",\"retries\":3}");
    JsonNode running = fx.awaitStatus(id, "RUNNING");
    assertEquals(1, running.path("attempts").asInt(), running::toString);

    HttpResponse<String> cancel = fx.api.post("/api/v1/commands/" + id + "/cancel", null);
    assertEquals(200, cancel.statusCode(), cancel::body);
    String right = Api.json(cancel).path("status").asText();
    assertTrue(Set.of("RUNNING", "CANCELLED").contains(right), cancel::body);

    JsonNode view = fx.awaitFinal(id);
    assertStatus("CANCELLED", view);
    assertEquals(1, view.path("attempts").asInt(), "a cancelled attempt is not retried: " + view);
    Duration ran = Duration.between(instant(view, "startedAt"), instant(view, "finishedAt"));
    assertTrue(ran.compareTo(Duration.ofSeconds(20)) < 0, "ran " + ran + " of 60 s: " + view);
    assertEquals(
        List.of("Submitted", "AttemptStarted", "CancelRequested", "Cancelled"), fx.eventTypes(id));
  }

  // ---------------------------------------------------------------- retries with backoff

  @Test
  void retriesWaitTheirBackoffAndSucceedAtTheFourthAttempt() {
    String id =
        fx.submit(
            "{\"name\":\"fail\",\"input\":{\"times\":3},\"retries\":5,"
                + "\"backoff\":{\"initial\":\"200ms\",\"factor\":2}}");
    JsonNode view = fx.awaitFinal(id);
    assertStatus("SUCCEEDED", view);
    assertEquals(4, view.path("attempts").asInt(), view::toString);
    assertEquals(6, view.path("maxAttempts").asInt(), view::toString);
    assertEquals(4, view.path("output").path("attempt").asInt(), view::toString);

    // Equal jitter: retry n waits within [ceiling/2, ceiling], ceiling = 200ms * 2^(n-1).
    Duration total = Duration.between(instant(view, "createdAt"), instant(view, "finishedAt"));
    assertTrue(total.toMillis() >= 100 + 200 + 400, "only " + total + " from submit to end");
    assertTrue(total.compareTo(Duration.ofSeconds(20)) < 0, "took " + total);

    List<Event> events = fx.events(id);
    assertEquals(
        List.of(
            "Submitted",
            "AttemptStarted",
            "AttemptFailed",
            "AttemptStarted",
            "AttemptFailed",
            "AttemptStarted",
            "AttemptFailed",
            "AttemptStarted",
            "Succeeded"),
        events.stream().map(Event::type).toList());
    long[] ceilings = {200, 400, 800};
    for (int retry = 1; retry <= 3; retry++) {
      Event started = events.get(2 * retry - 1);
      Event failed = events.get(2 * retry);
      Event next = events.get(2 * retry + 1);
      assertEquals(retry, started.attempt(), events::toString);
      assertEquals(retry, failed.attempt(), events::toString);
      assertEquals(retry + 1, next.attempt(), events::toString);
      assertFalse(failed.payload().path("timedOut").asBoolean(), failed::toString);
      assertFalse(failed.payload().path("interrupted").asBoolean(), failed::toString);
      assertField(failed.payload(), "error", "attempt " + retry);
      long waited = Duration.between(failed.at("at"), failed.at("retryAt")).toMillis();
      long ceiling = ceilings[retry - 1];
      assertTrue(
          waited >= ceiling / 2 && waited <= ceiling,
          "retry "
              + retry
              + " waits "
              + waited
              + " ms, not within ["
              + ceiling / 2
              + ", "
              + ceiling
              + "]: "
              + failed);
      assertFalse(
          next.at("at").isBefore(failed.at("retryAt")),
          "attempt " + (retry + 1) + " started before its retryAt: " + failed + " then " + next);
    }
    assertEquals(4, events.get(8).attempt(), events::toString);
  }

  // ---------------------------------------------------------------- chains

  @Test
  void onSuccessChildGetsTheParentsOutputUnlessItHasItsOwnInput() {
    String id =
        fx.submit(
            "{\"name\":\"fail\",\"input\":{\"times\":0},"
                + "\"onSuccess\":{\"name\":\"noop\","
                + "\"onSuccess\":{\"name\":\"noop\",\"input\":{\"own\":true}}},"
                + "\"onFailure\":{\"name\":\"noop\"},\"onCancel\":{\"name\":\"noop\"}}");
    JsonNode parent = fx.awaitFinal(id);
    assertStatus("SUCCEEDED", parent);
    assertEquals(parse("{\"attempt\":1}"), parent.path("output"), parent::toString);
    assertEquals(List.of(id + "-s"), texts(parent.path("children")), parent::toString);

    JsonNode child = fx.awaitFinal(id + "-s");
    assertStatus("SUCCEEDED", child);
    assertEquals(id, child.path("parentId").asText(), child::toString);
    assertEquals(parse("{\"attempt\":1}"), child.path("input"), "the parent's output as input");
    assertEquals(parse("{\"attempt\":1}"), child.path("output"), child::toString);
    assertEquals(List.of(id + "-s-s"), texts(child.path("children")), child::toString);

    JsonNode grandchild = fx.awaitFinal(id + "-s-s");
    assertStatus("SUCCEEDED", grandchild);
    assertEquals(id + "-s", grandchild.path("parentId").asText(), grandchild::toString);
    assertEquals(parse("{\"own\":true}"), grandchild.path("input"), "its own input wins");

    // Neither onFailure nor onCancel ran.
    for (String other : List.of(id + "-f", id + "-c")) {
      assertProblem(fx.api.get("/api/v1/commands/" + other), 404, "not-found");
      assertEquals(0, fx.events(other).size(), other);
    }
    // The child exists only after the parent's final event.
    assertTrue(
        fx.events(id + "-s").get(0).ordering() > last(fx.events(id)).ordering(),
        "child submitted before the parent's Succeeded");
  }

  @Test
  void onFailureChildRunsOnceAfterTheLastAttemptOnly() {
    String id =
        fx.submit(
            "{\"name\":\"fail\",\"input\":{\"times\":5,\"message\":\"boom\"},\"retries\":2,"
                + "\"backoff\":{\"initial\":\"50ms\"},"
                + "\"onFailure\":{\"name\":\"noop\",\"input\":{\"alert\":\"parent failed\"}},"
                + "\"onSuccess\":{\"name\":\"noop\"}}");
    JsonNode parent = fx.awaitFinal(id);
    assertStatus("FAILED", parent);
    assertEquals(3, parent.path("attempts").asInt(), parent::toString);
    assertEquals("boom", parent.path("error").asText(), parent::toString);
    assertEquals(List.of(id + "-f"), texts(parent.path("children")), parent::toString);

    JsonNode child = fx.awaitFinal(id + "-f");
    assertStatus("SUCCEEDED", child);
    assertEquals(id, child.path("parentId").asText(), child::toString);
    assertEquals(parse("{\"alert\":\"parent failed\"}"), child.path("output"), child::toString);

    // Exactly one child command, created after the parent's Failed event (not per attempt).
    assertEquals(
        1,
        fx.queryLong(
            "SELECT count(DISTINCT persistence_id) FROM event_journal"
                + " WHERE persistence_id LIKE ?",
            "Command|" + id + "-%"),
        "child commands of " + id);
    List<Event> events = fx.events(id);
    Event failed = last(events);
    assertEquals("Failed", failed.type(), events::toString);
    assertEquals(1, events.stream().filter(e -> e.type().equals("Failed")).count());
    assertEquals(2, events.stream().filter(e -> e.type().equals("AttemptFailed")).count());
    List<Event> childEvents = fx.events(id + "-f");
    assertEquals(
        1, childEvents.stream().filter(e -> e.type().equals("Submitted")).count(), "child submits");
    assertTrue(
        childEvents.get(0).ordering() > failed.ordering(),
        "child submitted before the parent's Failed event: " + childEvents + " vs " + failed);
    assertEquals(1, failed.payload().path("children").size(), failed::toString);
    assertProblem(fx.api.get("/api/v1/commands/" + id + "-s"), 404, "not-found");
  }

  @Test
  void onCancelChildRunsWhenTheCommandIsCancelled() {
    String id =
        fx.submit(
            "{\"name\":\"noop\",\"scheduledAt\":\""
                + inAnHour()
                + "\",\"onCancel\":{\"name\":\"noop\",\"input\":{\"cleanup\":1}},"
                + "\"onSuccess\":{\"name\":\"noop\"},\"onFailure\":{\"name\":\"noop\"}}");
    assertStatus("SCHEDULED", fx.get(id));
    HttpResponse<String> cancel = fx.api.post("/api/v1/commands/" + id + "/cancel", "{}");
    assertEquals(200, cancel.statusCode(), cancel::body);
    JsonNode parent = Api.json(cancel);
    assertStatus("CANCELLED", parent);
    assertEquals(List.of(id + "-c"), texts(parent.path("children")), parent::toString);

    JsonNode child = fx.awaitFinal(id + "-c");
    assertStatus("SUCCEEDED", child);
    assertEquals(id, child.path("parentId").asText(), child::toString);
    assertEquals(parse("{\"cleanup\":1}"), child.path("output"), child::toString);
    assertTrue(
        fx.events(id + "-c").get(0).ordering() > last(fx.events(id)).ordering(),
        "child submitted before the parent's Cancelled");
    for (String other : List.of(id + "-s", id + "-f")) {
      assertProblem(fx.api.get("/api/v1/commands/" + other), 404, "not-found");
    }
  }

  private static Event last(List<Event> events) {
    assertFalse(events.isEmpty());
    return events.get(events.size() - 1);
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(n -> texts.add(n.asText()));
    return texts;
  }

  // ---------------------------------------------------------------- idempotency

  @Test
  void concurrentDuplicateSubmitsMakeOneCommandThatRunsOnce() throws Exception {
    String key = "idem-" + UUID.randomUUID();
    String body = "{\"name\":\"noop\",\"input\":{\"n\":1},\"idempotencyKey\":" + quote(key) + "}";
    int clients = 20;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      CountDownLatch ready = new CountDownLatch(clients);
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
      for (int i = 0; i < clients; i++) {
        Api client = new Api(TestNodes.httpPort(fx.node), TestNodes.ADMIN_TOKEN);
        futures.add(
            CompletableFuture.supplyAsync(
                () -> {
                  ready.countDown();
                  try {
                    if (!go.await(30, TimeUnit.SECONDS)) {
                      throw new IllegalStateException("never released");
                    }
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                  }
                  return client.post("/api/v1/commands", body);
                },
                pool));
      }
      assertTrue(ready.await(30, TimeUnit.SECONDS), "clients not ready");
      go.countDown();
      Set<String> ids = new HashSet<>();
      for (CompletableFuture<HttpResponse<String>> future : futures) {
        HttpResponse<String> response = future.get(60, TimeUnit.SECONDS);
        accepted(response);
        ids.add(Api.json(response).path("id").asText());
      }
      assertEquals(1, ids.size(), "ids answered: " + ids);
      String id = ids.iterator().next();

      JsonNode view = fx.awaitFinal(id);
      assertStatus("SUCCEEDED", view);
      assertEquals(1, view.path("attempts").asInt(), view::toString);
      assertEquals(key, view.path("idempotencyKey").asText(), view::toString);

      // A later submit with the same key, even with another input, answers the first command.
      HttpResponse<String> again =
          accepted(
              fx.api.post(
                  "/api/v1/commands",
                  "{\"name\":\"noop\",\"input\":{\"n\":2},\"idempotencyKey\":" + quote(key) + "}"));
      assertEquals(id, Api.json(again).path("id").asText(), again::body);
      assertEquals("SUCCEEDED", Api.json(again).path("status").asText(), again::body);
      assertEquals(parse("{\"n\":1}"), fx.get(id).path("input"));

      List<String> types = fx.eventTypes(id);
      assertEquals(1, types.stream().filter("Submitted"::equals).count(), types::toString);
      assertEquals(1, types.stream().filter("AttemptStarted"::equals).count(), types::toString);
      assertEquals(List.of("Submitted", "AttemptStarted", "Succeeded"), types);
    } finally {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- read side

  @Test
  void listAndCountsFollowTheCommandsAndPage() {
    List<String> ours = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ours.add(fx.submit("{\"name\":\"noop\",\"input\":{\"list\":" + i + "}}"));
    }
    for (String id : ours) {
      assertStatus("SUCCEEDED", fx.awaitFinal(id));
    }
    String query = "/api/v1/commands?status=SUCCEEDED&name=noop";

    // Eventually listed, with what the entity says.
    Await.until(
        DEADLINE,
        () -> {
          Map<String, JsonNode> listed = new HashMap<>();
          page(query + "&limit=1000")
              .path("items")
              .forEach(i -> listed.put(i.path("id").asText(), i));
          for (String id : ours) {
            JsonNode item = listed.get(id);
            assertNotNull(item, id + " not listed yet");
            assertStatus("SUCCEEDED", item);
            assertEquals("noop", item.path("name").asText());
            assertEquals(1, item.path("attempts").asInt(), item::toString);
            assertEquals(fx.get(id).path("input"), item.path("input"), item::toString);
            assertEquals(item.path("input"), item.path("output"), item::toString);
          }
        });

    // Counts add up: every accepted command in exactly one status, each matching its list.
    Await.until(
        DEADLINE,
        () -> {
          HttpResponse<String> response = fx.api.get("/api/v1/commands/counts");
          assertEquals(200, response.statusCode(), response::body);
          JsonNode counts = Api.json(response).path("counts");
          long sum = 0;
          for (String status :
              List.of(
                  "PENDING",
                  "SCHEDULED",
                  "RUNNING",
                  "SUCCEEDED",
                  "FAILED",
                  "CANCELLED",
                  "TIMED_OUT",
                  "NOT_FOUND")) {
            assertTrue(counts.path(status).isIntegralNumber(), status + " missing in " + counts);
            long n = counts.path(status).asLong();
            int listed =
                page("/api/v1/commands?status=" + status + "&limit=1000").path("items").size();
            assertEquals(listed, n, status + " counted vs listed: " + counts);
            sum += n;
          }
          assertTrue(counts.path("SUCCEEDED").asLong() >= ours.size(), counts::toString);
          assertEquals(fx.commandsInJournal(), sum, "commands journaled vs counted: " + counts);
        });

    // Paging by 2 walks the same list, in id order, without gaps or repeats.
    List<String> all = ids(page(query + "&limit=1000"));
    assertTrue(all.containsAll(ours), all::toString);
    List<String> walked = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      JsonNode page = page(query + "&limit=2" + (after == null ? "" : "&after=" + after));
      List<String> ids = ids(page);
      assertTrue(ids.size() <= 2, page::toString);
      JsonNode next = page.path("next");
      if (ids.size() == 2) {
        assertEquals(ids.get(1), next.asText(), "next of a full page: " + page);
      } else {
        assertTrue(next.isNull() || next.isMissingNode(), "next of the last page: " + page);
      }
      walked.addAll(ids);
      after = next.isNull() || next.isMissingNode() ? null : next.asText();
      assertTrue(++pages <= all.size() + 1, "paging does not end: " + walked);
    } while (after != null);
    assertEquals(all, walked, "pages of 2 vs one page");
    List<String> sorted = new ArrayList<>(all);
    sorted.sort(String::compareTo);
    assertEquals(sorted, all, "ordered by id");
    assertEquals(new HashSet<>(all).size(), all.size(), "no repeats");

    // after= starts strictly after that id.
    List<String> oursSorted = new ArrayList<>(ours);
    oursSorted.sort(String::compareTo);
    String pivot = oursSorted.get(1);
    List<String> rest = ids(page(query + "&limit=1000&after=" + pivot));
    assertTrue(rest.stream().allMatch(id -> id.compareTo(pivot) > 0), rest::toString);
    assertTrue(rest.containsAll(oursSorted.subList(2, oursSorted.size())), rest::toString);
    assertFalse(rest.contains(oursSorted.get(0)) || rest.contains(pivot), rest::toString);

    // Filters filter.
    List<String> failed = ids(page("/api/v1/commands?name=fail&limit=1000"));
    assertTrue(failed.stream().noneMatch(ours::contains), failed::toString);
  }

  private static JsonNode page(String path) {
    HttpResponse<String> response = fx.api.get(path);
    assertEquals(200, response.statusCode(), () -> path + ": " + response.body());
    JsonNode page = Api.json(response);
    assertTrue(page.path("items").isArray(), response::body);
    return page;
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.path("items").forEach(item -> ids.add(item.path("id").asText()));
    return ids;
  }

  // ---------------------------------------------------------------- routing

  /** Last: it adds a second node to the cluster, which moves shards while it is up. */
  @Test
  @Order(Integer.MAX_VALUE)
  void aCommandForAMissingRoleWaitsUntilANodeWithTheRoleJoins() throws Exception {
    String id = fx.submit("{\"name\":\"noop\",\"input\":{\"on\":\"gpu\"},\"target\":\"gpu\"}");
    Await.until(
        DEADLINE,
        () -> {
          JsonNode view = fx.get(id);
          assertStatus("PENDING", view);
          assertField(view, "waitingFor", "'gpu'");
        });
    JsonNode waiting = fx.get(id);
    assertEquals("gpu", waiting.path("target").asText(), waiting::toString);
    assertEquals(0, waiting.path("attempts").asInt(), waiting::toString);
    assertTrue(isNull(waiting, "startedAt"), waiting::toString);
    assertEquals(List.of("Submitted", "Waiting"), fx.eventTypes(id), "rechecks journal nothing");

    Map<String, Object> settings = new HashMap<>();
    settings.put("orchestrator.mode", "cluster");
    settings.put("orchestrator.db.url", fx.jdbcUrl());
    settings.put("orchestrator.db.user", "postgres");
    settings.put("orchestrator.db.password", "");
    settings.put("orchestrator.node.seed-nodes", "127.0.0.1:" + fx.nodePort());
    settings.put("orchestrator.node.roles", "gpu");
    settings.put("orchestrator.http.port", Ports.free());
    int gpuPort = Ports.free();
    settings.put("orchestrator.node.port", gpuPort);
    settings.put("orchestrator.admin-token", TestNodes.ADMIN_TOKEN);
    settings.put("orchestrator.data-dir", temp.resolve("gpu-node").toString());
    Node gpu = TestNodes.start("cluster", settings);
    try {
      JsonNode view = fx.awaitFinal(id, Duration.ofSeconds(120));
      assertStatus("SUCCEEDED", view);
      assertEquals(1, view.path("attempts").asInt(), view::toString);
      assertEquals(parse("{\"on\":\"gpu\"}"), view.path("output"), view::toString);
      assertTrue(isNull(view, "waitingFor"), view::toString);
      List<Event> events = fx.events(id);
      assertEquals(
          List.of("Submitted", "Waiting", "AttemptStarted", "Succeeded"),
          events.stream().map(Event::type).toList());
      // On the gpu node: named by its address, or "local" when the entity itself had moved there.
      String node = events.get(2).payload().path("node").asText();
      assertTrue(
          node.endsWith("@127.0.0.1:" + gpuPort) || node.equals("local"),
          "ran elsewhere than on the gpu node: " + events.get(2));
    } finally {
      TestNodes.stop(gpu);
    }
    // The dev node carries on alone.
    assertStatus("SUCCEEDED", fx.awaitFinal(fx.submit("{\"name\":\"noop\"}")));
  }
}
