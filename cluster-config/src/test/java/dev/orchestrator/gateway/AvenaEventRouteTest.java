package dev.orchestrator.gateway;

import static dev.orchestrator.gateway.GatewayFixture.assertDetail;
import static dev.orchestrator.gateway.GatewayFixture.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.component.driver.http.ReplyRouter;
import dev.orchestrator.gateway.component.AvenaEventRoutes;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.TestNodes;
import dev.orchestrator.protocol.avena.AvenaEvent;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /event} takes avena events without a token, but only well-formed ones: whatever else
 * is sent gets a 400 or 413 problem that says what is wrong, and a reply nobody waits for is
 * dropped with 200, as avena listeners expect.
 */
class AvenaEventRouteTest {
  private static final String EVENT =
      """
      {"source": "io", "source_address": "127.0.0.1", "source_port": 8001,
       "destination": "orchestrator", "destination_address": "127.0.0.1", "destination_port": 8080,
       "event_type": "%s", "data": {"temperature": 41.5}, "id": %s, "payload": 1,
       "to_be_processed": false, "is_processing": false, "maximum_processing_time": 20.0,
       "timestamp": "%s", "result": %s}
      """;

  private static GatewayFixture gw;
  private static final List<AvenaEvent> spontaneous = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void startNode() throws Exception {
    gw = GatewayFixture.start("avena-event");
    ReplyRouter.get(gw.node.system()).useSink(spontaneous::add);
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (gw != null) {
      gw.stop();
    }
  }

  private static String event(String type, String id, String timestamp, String result) {
    return EVENT.formatted(type, id, timestamp, result);
  }

  private static HttpResponse<String> post(String body) {
    return gw.raw("POST", "/event", body, null);
  }

  private static void assertTakenWithEmptyObject(HttpResponse<String> response) {
    assertEquals(200, response.statusCode(), response::body);
    assertTrue(
        response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
    assertEquals("{}", response.body());
  }

  @Test
  void aSpontaneousEventIsTakenWithoutATokenAndHandedToTheSink() {
    spontaneous.clear();
    assertTakenWithEmptyObject(post(event("status", "null", "2026-11-22 05:00:00.123456", "null")));
    assertTakenWithEmptyObject(post(event("status", "12", "2026-11-22 05:00:00", "null")));
    assertEquals(2, spontaneous.size());
    assertEquals("status", spontaneous.get(0).eventType());
    assertEquals(41.5, spontaneous.get(0).data().path("temperature").asDouble());
  }

  @Test
  void fieldsOfNewerAvenaVersionsAreTolerated() {
    spontaneous.clear();
    String body =
        event("status", "13", "2026-11-22 05:00:00", "null")
            .replace("\"payload\": 1", "\"payload\": 1, \"is_system_event\": false");
    assertTakenWithEmptyObject(post(body));
    assertEquals(1, spontaneous.size());
  }

  @Test
  void aReplyThatAnswersNoRequestIsDroppedWithOneWarningAMinutePerSource() {
    String reply =
        event(
            "CMD_GET_STATE",
            "987654321",
            "2026-11-22 05:00:00.5",
            "{\"result\": \"success\", \"error_code\": null, \"error_message\": null}");
    Logger logger = (Logger) LoggerFactory.getLogger(AvenaEventRoutes.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    logger.addAppender(logged);
    try {
      for (int i = 0; i < 3; i++) {
        assertTakenWithEmptyObject(post(reply));
      }
      assertTakenWithEmptyObject(post(reply.replace("\"source\": \"io\"", "\"source\": \"io2\"")));
    } finally {
      logger.detachAppender(logged);
    }
    List<String> warnings =
        logged.list.stream()
            .filter(e -> e.getLevel() == Level.WARN)
            .map(ILoggingEvent::getFormattedMessage)
            .toList();
    assertEquals(2, warnings.size(), "once a minute per source: " + warnings);
    assertTrue(warnings.get(0).contains("io (127.0.0.1:8001)"), warnings::toString);
    assertTrue(warnings.get(1).contains("io2 (127.0.0.1:8001)"), warnings::toString);
    assertEquals(200, gw.raw("GET", "/health/alive", null, null).statusCode());
  }

  @Test
  void aCumulativeBundleIsUnbundled() {
    spontaneous.clear();
    String one = event("status", "21", "2026-11-22 05:00:00", "null");
    String two = event("alarm", "22", "2026-11-22 05:00:01", "null");
    String bundle =
        "{\"event_type\": \"cumulative\", \"payload\": 2, \"timestamp\": \"2026-11-22 05:00:01\","
            + " \"data\": {\"events\": ["
            + one
            + ","
            + two
            + "]}}";
    assertTakenWithEmptyObject(post(bundle));
    assertEquals(
        List.of("status", "alarm"), spontaneous.stream().map(AvenaEvent::eventType).toList());
  }

  @Test
  void malformedJsonIsA400() {
    assertDetail(assertProblem(post("{\"event_type\": "), 400, "malformed-json"), "not valid JSON");
    assertProblem(post(""), 400, "malformed-json");
    assertProblem(post("[1, 2]"), 400, "malformed-json");
    assertProblem(post("null"), 400, "malformed-json");
  }

  @Test
  void wrongTypesAreA400NamingTheField() {
    String portAsText =
        event("status", "1", "2026-11-22 05:00:00", "null")
            .replace("\"source_port\": 8001", "\"source_port\": \"eighty\"");
    assertDetail(assertProblem(post(portAsText), 400, "malformed-json"), "source_port");
    String typeAsNumber =
        event("status", "1", "2026-11-22 05:00:00", "null")
            .replace("\"event_type\": \"status\"", "\"event_type\": 5");
    assertDetail(assertProblem(post(typeAsNumber), 400, "malformed-json"), "event_type");
    String idAsText = event("status", "\"abc\"", "2026-11-22 05:00:00", "null");
    assertDetail(assertProblem(post(idAsText), 400, "malformed-json"), "'id'");
    String resultAsText = event("status", "1", "2026-11-22 05:00:00", "\"success\"");
    assertDetail(assertProblem(post(resultAsText), 400, "malformed-json"), "result");
    String dataAsList =
        event("status", "1", "2026-11-22 05:00:00", "null")
            .replace("{\"temperature\": 41.5}", "[41.5]");
    assertDetail(assertProblem(post(dataAsList), 400, "validation"), "data must be a JSON object");
  }

  @Test
  void aMissingEventTypeIsA400() {
    JsonNode problem = assertProblem(post("{\"source\": \"io\", \"data\": {}}"), 400, "validation");
    assertDetail(problem, "event_type is required");
  }

  @Test
  void aBadTimestampIsA400() {
    for (String timestamp :
        List.of("yesterday", "2026-11-22", "2026-11-22 05:00:00+00:00", "2026-02-30 05:00:00")) {
      JsonNode problem =
          assertProblem(post(event("status", "1", timestamp, "null")), 400, "malformed-json");
      assertDetail(problem, "timestamp", timestamp);
    }
  }

  @Test
  void aBadEventInABundleRejectsTheWholeBundle() {
    spontaneous.clear();
    String good = event("status", "31", "2026-11-22 05:00:00", "null");
    String bad = "{\"event_type\": \"alarm\", \"timestamp\": \"soon\"}";
    String bundle =
        "{\"event_type\": \"cumulative\", \"data\": {\"events\": [" + good + "," + bad + "]}}";
    assertDetail(assertProblem(post(bundle), 400, "validation"), "data.events[1]", "soon");
    assertDetail(
        assertProblem(post("{\"event_type\": \"cumulative\", \"data\": {}}"), 400, "validation"),
        "data.events");
    assertEquals(List.of(), spontaneous);
  }

  @Test
  void aBodyOverOneMebibyteIsA413() {
    String huge =
        event("status", "1", "2026-11-22 05:00:00", "null")
            .replace("41.5", "\"" + "a".repeat(2 * 1024 * 1024) + "\"");
    assertProblem(post(huge), 413, "payload-too-large");
  }

  @Test
  void onlyPostIsAccepted() {
    assertProblem(gw.raw("GET", "/event", null, null), 405, "method-not-allowed");
    assertEquals(
        401,
        new Api(TestNodes.httpPort(gw.node), null).get("/api/v1/components").statusCode(),
        "the API still needs a token");
  }
}
