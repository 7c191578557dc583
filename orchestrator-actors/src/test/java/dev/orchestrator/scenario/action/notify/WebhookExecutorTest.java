package dev.orchestrator.scenario.action.notify;

import static dev.orchestrator.scenario.action.notify.Outcomes.due;
import static dev.orchestrator.scenario.action.notify.Outcomes.dueIn5s;
import static dev.orchestrator.scenario.action.notify.Outcomes.failure;
import static dev.orchestrator.scenario.action.notify.Outcomes.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchestrator.protocol.scenario.Action;
import dev.orchestrator.scenario.action.ActionContext;
import dev.orchestrator.scenario.action.ActionFailed;
import dev.orchestrator.scenario.action.ActionResult;
import dev.orchestrator.scenario.action.notify.RecordingServer.Received;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookExecutorTest {
  private RecordingServer server;
  private WebhookExecutor webhook;

  @BeforeEach
  void start() throws Exception {
    server = new RecordingServer();
    Map<String, WebhookEndpoint> endpoints =
        Map.of(
            "ops",
            new WebhookEndpoint(
                "ops",
                URI.create(server.url("/ok") + "?key=secret-in-query"),
                Map.of("X-Token", "t-42", "Content-Type", "application/vnd.ops+json")),
            "paging",
            new WebhookEndpoint("paging", URI.create(server.url("/status/503")), Map.of()));
    webhook =
        new WebhookExecutor(
            new TreeMap<>(endpoints), new NotifyHttp(NotifyHttp.newClient()), new ObjectMapper());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static Action.Webhook toUrl(String url, String body) {
    return new Action.Webhook(url, null, body, null, null, null);
  }

  private static Action.Webhook toEndpoint(String name, String body) {
    return new Action.Webhook(null, name, body, null, null, null);
  }

  @Test
  void postsAJsonBodyAsJson() throws Exception {
    ActionContext context = dueIn5s();
    ActionResult result =
        result(
            webhook.execute(toUrl(server.url("/ok"), "{\"alarm\": \"ups\", \"n\": 2}"), context));
    Received got = server.next();
    assertEquals("POST", got.method());
    assertEquals("{\"alarm\": \"ups\", \"n\": 2}", got.body());
    assertEquals("application/json", got.headers().get("content-type"));
    assertEquals(context.attemptUuid().toString(), got.headers().get("idempotency-key"));
    assertEquals("POST to webhook " + server.url("/ok") + " answered HTTP 200", result.detail());
    assertEquals(200, result.output().get("status").asInt());
    assertEquals("accepted", result.output().get("body").asText());
    assertFalse(result.output().get("truncated").asBoolean());
  }

  @Test
  void postsOtherTextAsPlainText() throws Exception {
    for (String body : List.of("power lost at ups-1", "{\"a\": 1} and more", "")) {
      result(webhook.execute(toUrl(server.url("/ok"), body), dueIn5s()));
      Received got = server.next();
      assertEquals(body, got.body());
      assertEquals("text/plain; charset=utf-8", got.headers().get("content-type"), body);
    }
  }

  @Test
  void aNamedEndpointGetsItsUrlAndHeaders() throws Exception {
    ActionResult result = result(webhook.execute(toEndpoint("ops", "[1, 2]"), dueIn5s()));
    Received got = server.next();
    assertEquals("/ok", got.path());
    assertEquals("t-42", got.headers().get("x-token"));
    assertEquals("application/vnd.ops+json", got.headers().get("content-type"));
    assertTrue(result.detail().startsWith("POST to webhook endpoint 'ops' (http://127.0.0.1:"));
    assertFalse(result.detail().contains("secret-in-query"), result.detail());
  }

  @Test
  void anUnknownEndpointFailsListingTheConfiguredOnes() throws Exception {
    ActionFailed e = failure(webhook.execute(toEndpoint("pager", "x"), dueIn5s()));
    assertEquals(
        "unknown webhook endpoint 'pager': configured ones are ops, paging", e.getMessage());
    assertNull(server.next(Duration.ofMillis(200)), "nothing was sent");
  }

  @Test
  void withoutEndpointsTheMessageSaysWhereToConfigureThem() throws Exception {
    WebhookExecutor none =
        new WebhookExecutor(Map.of(), new NotifyHttp(NotifyHttp.newClient()), new ObjectMapper());
    ActionFailed e = failure(none.execute(toEndpoint("ops", "x"), dueIn5s()));
    assertTrue(e.getMessage().contains("orchestrator.scenarios.webhooks"), e.getMessage());
  }

  @Test
  void aServerErrorFailsWithTheStatusAndTheStartOfTheBody() throws Exception {
    ActionFailed e = failure(webhook.execute(toUrl(server.url("/status/500"), "{}"), dueIn5s()));
    String expected =
        "HTTP 500 from webhook "
            + server.url("/status/500")
            + ": "
            + RecordingServer.LONG_ERROR.substring(0, 200)
            + "…";
    assertEquals(expected, e.getMessage());
    assertNotNull(server.next(), "the request was made");
  }

  @Test
  void aServerErrorOfANamedEndpointNamesIt() throws Exception {
    ActionFailed e = failure(webhook.execute(toEndpoint("paging", "{}"), dueIn5s()));
    assertTrue(
        e.getMessage().startsWith("HTTP 503 from webhook endpoint 'paging' (http://127.0.0.1:"),
        e.getMessage());
  }

  @Test
  void aServerThatNeverAnswersFailsAtTheDeadline() throws Exception {
    long start = System.nanoTime();
    ActionFailed e =
        failure(webhook.execute(toUrl(server.url("/silent"), "{}"), due(Duration.ofMillis(400))));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(e.getMessage().startsWith("timed out after "), e.getMessage());
    assertTrue(e.getMessage().endsWith("waiting for webhook " + server.url("/silent")));
    assertTrue(took.compareTo(Duration.ofMillis(350)) >= 0, "not before the deadline: " + took);
    assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "at the deadline: " + took);
  }

  @Test
  void aClosedPortFailsNamingHostAndPort() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    ActionFailed e =
        failure(webhook.execute(toUrl("http://127.0.0.1:" + port + "/hook", "{}"), dueIn5s()));
    assertTrue(
        e.getMessage().startsWith("could not connect to 127.0.0.1:" + port + " (webhook "),
        e.getMessage());
  }

  @Test
  void onlyHttpUrlsAreCalled() throws Exception {
    ActionFailed e = failure(webhook.execute(toUrl("file:///etc/passwd", "{}"), dueIn5s()));
    assertTrue(e.getMessage().contains("is not an http or https URL"), e.getMessage());
  }

  @Test
  void aLongAnswerIsCutInTheOutput() throws Exception {
    ActionResult result = result(webhook.execute(toUrl(server.url("/big"), "{}"), dueIn5s()));
    assertEquals(NotifyHttp.KEPT_BODY_BYTES, result.output().get("body").asText().length());
    assertTrue(result.output().get("truncated").asBoolean());
  }
}
