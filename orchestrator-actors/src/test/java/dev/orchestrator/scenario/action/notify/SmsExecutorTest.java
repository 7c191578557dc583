package dev.orchestrator.scenario.action.notify;

import static dev.orchestrator.scenario.action.notify.Outcomes.due;
import static dev.orchestrator.scenario.action.notify.Outcomes.dueIn5s;
import static dev.orchestrator.scenario.action.notify.Outcomes.failure;
import static dev.orchestrator.scenario.action.notify.Outcomes.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchestrator.protocol.scenario.Action;
import dev.orchestrator.scenario.action.ActionFailed;
import dev.orchestrator.scenario.action.ActionResult;
import dev.orchestrator.scenario.action.notify.RecordingServer.Received;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SmsExecutorTest {
  private static final String TOKEN = "sms-token-8f3a";
  private static final Action.SendSms TEXT =
      new Action.SendSms(
          List.of("+48600100200", "+48600100201"), "UPS on battery \"now\"", null, null, null);

  private final ObjectMapper mapper = new ObjectMapper();
  private RecordingServer server;

  @BeforeEach
  void start() throws Exception {
    server = new RecordingServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private SmsExecutor gateway(String path, String token) {
    return new SmsExecutor(
        new SmsSettings(URI.create(server.url(path)), token),
        new NotifyHttp(NotifyHttp.newClient()),
        mapper);
  }

  @Test
  void postsRecipientsAndMessageWithTheToken() throws Exception {
    ActionResult result = result(gateway("/ok", TOKEN).execute(TEXT, dueIn5s()));
    Received got = server.next();
    assertEquals("POST", got.method());
    assertEquals("application/json", got.headers().get("content-type"));
    assertEquals("Bearer " + TOKEN, got.headers().get("authorization"));
    JsonNode body = mapper.readTree(got.body());
    assertEquals(
        mapper.readTree(
            "{\"to\": [\"+48600100200\", \"+48600100201\"], \"message\": \"UPS on battery"
                + " \\\"now\\\"\"}"),
        body);
    assertEquals(
        "text to 2 recipients accepted by SMS gateway " + server.url("/ok") + " (HTTP 200)",
        result.detail());
    assertFalse(result.detail().contains(TOKEN));
  }

  @Test
  void withoutATokenNoAuthorizationIsSent() throws Exception {
    result(gateway("/ok", "").execute(TEXT, dueIn5s()));
    assertNull(server.next().headers().get("authorization"));
  }

  @Test
  void aGatewayErrorFailsWithTheStatus() throws Exception {
    ActionFailed e = failure(gateway("/status/503", TOKEN).execute(TEXT, dueIn5s()));
    assertTrue(
        e.getMessage().startsWith("HTTP 503 from SMS gateway " + server.url("/status/503") + ": "),
        e.getMessage());
    assertFalse(e.getMessage().contains(TOKEN));
  }

  @Test
  void aGatewayThatNeverAnswersFailsAtTheDeadline() throws Exception {
    long start = System.nanoTime();
    ActionFailed e = failure(gateway("/silent", TOKEN).execute(TEXT, due(Duration.ofMillis(400))));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(e.getMessage().startsWith("timed out after "), e.getMessage());
    assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "at the deadline: " + took);
  }

  @Test
  void withoutAGatewayTheActionSaysWhatToSet() throws Exception {
    SmsExecutor none =
        new SmsExecutor(new SmsSettings(null, ""), new NotifyHttp(NotifyHttp.newClient()), mapper);
    ActionFailed e = failure(none.execute(TEXT, dueIn5s()));
    assertEquals(
        "no SMS gateway configured: set ORCH_SMS_URL (orchestrator.scenarios.sms.url)",
        e.getMessage());
  }

  @Test
  void aPassedDeadlineSendsNothing() throws Exception {
    ActionFailed e = failure(gateway("/ok", TOKEN).execute(TEXT, due(Duration.ofMillis(-1))));
    assertTrue(e.getMessage().contains("deadline passed"), e.getMessage());
    assertNull(server.next(Duration.ofMillis(200)));
  }
}
