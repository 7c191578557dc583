package dev.orchestrator.protocol.avena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class AvenaEventTest {
  /**
   * As strict as the gateway's mapper: unknown fields refused (but AvenaEvent allows them), no
   * scalar coercion.
   */
  private static final ObjectMapper MAPPER = strictMapper();

  /** What avena's Event.to_dict() sends back for a CMD_GET_STATE, with a field we do not know. */
  private static final String GET_STATE_REPLY =
      """
      {"source": "io", "source_address": "10.0.0.7", "source_port": 8001,
       "destination": "orchestrator", "destination_address": "10.0.0.2", "destination_port": 8080,
       "event_type": "CMD_GET_STATE",
       "data": {"fsm_state": "RUN", "error": false, "error_message": null, "epoch": 7},
       "id": 4503599627370497, "payload": 1, "to_be_processed": false, "is_processing": false,
       "maximum_processing_time": 20.0, "timestamp": "2026-11-22 05:00:00.123456",
       "result": {"result": "success", "error_code": null, "error_message": null},
       "is_system_event": true}
      """;

  private static ObjectMapper strictMapper() {
    ObjectMapper mapper =
        JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(
                com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
    return mapper;
  }

  @Test
  void readsARealReplyAndIgnoresFieldsOfNewerAvenaVersions() throws Exception {
    AvenaEvent event = MAPPER.readValue(GET_STATE_REPLY, AvenaEvent.class);
    assertEquals("io", event.source());
    assertEquals("10.0.0.7", event.sourceAddress());
    assertEquals(8001, event.sourcePort());
    assertEquals("orchestrator", event.destination());
    assertEquals(8080, event.destinationPort());
    assertEquals("CMD_GET_STATE", event.eventType());
    assertEquals("RUN", event.data().path("fsm_state").asText());
    assertEquals(4503599627370497L, event.id());
    assertEquals(20.0, event.maximumProcessingTime());
    assertEquals(LocalDateTime.of(2026, 11, 22, 5, 0, 0, 123_456_000), event.timestamp());
    assertTrue(event.isReply());
    assertTrue(event.result().isSuccess());
    assertNull(event.result().errorCode());
    assertEquals(List.of(), event.problems());
  }

  @Test
  void writesExactlyAvenasFieldsInItsOrderAndRoundTrips() throws Exception {
    AvenaEvent event = MAPPER.readValue(GET_STATE_REPLY, AvenaEvent.class);
    JsonNode written = MAPPER.readTree(MAPPER.writeValueAsString(event));
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = written.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    assertEquals(
        List.of(
            "source",
            "source_address",
            "source_port",
            "destination",
            "destination_address",
            "destination_port",
            "event_type",
            "data",
            "id",
            "payload",
            "to_be_processed",
            "is_processing",
            "maximum_processing_time",
            "timestamp",
            "result"),
        names);
    assertEquals("2026-11-22 05:00:00.123456", written.path("timestamp").asText());
    assertEquals(
        List.of("result", "error_code", "error_message"),
        iterate(written.path("result").fieldNames()));
    assertEquals(event, MAPPER.readValue(MAPPER.writeValueAsString(event), AvenaEvent.class));
  }

  @Test
  void aRequestCarriesANullResultAndAvenasDefaults() throws Exception {
    ObjectNode data = JsonNodeFactory.instance.objectNode().put("epoch", 3);
    AvenaEvent request =
        AvenaEvent.request(
            "orchestrator",
            "10.0.0.2",
            8080,
            "io",
            "10.0.0.7",
            8001,
            "CMD_RUN",
            data,
            42,
            LocalDateTime.of(2026, 11, 22, 5, 0));
    JsonNode written = MAPPER.readTree(MAPPER.writeValueAsString(request));
    assertTrue(written.has("result") && written.get("result").isNull());
    assertEquals("2026-11-22 05:00:00", written.path("timestamp").asText());
    assertEquals(1, written.path("payload").asInt());
    assertFalse(written.path("to_be_processed").asBoolean());
    assertEquals(20.0, written.path("maximum_processing_time").asDouble());
    assertEquals(3, written.path("data").path("epoch").asInt());

    AvenaEvent reply = request.reply(AvenaResult.success(), data);
    assertEquals("io", reply.source());
    assertEquals("10.0.0.7", reply.sourceAddress());
    assertEquals(8001, reply.sourcePort());
    assertEquals("orchestrator", reply.destination());
    assertEquals(8080, reply.destinationPort());
    assertEquals(42L, reply.id());
  }

  @Test
  void missingFieldsTakeAvenasDefaults() throws Exception {
    AvenaEvent event = MAPPER.readValue("{\"event_type\":\"hello\"}", AvenaEvent.class);
    assertEquals(0, event.sourcePort());
    assertEquals(1, event.payload());
    assertFalse(event.toBeProcessed());
    assertTrue(event.data().isObject() && event.data().isEmpty());
    assertNull(event.id());
    assertNull(event.timestamp());
    assertEquals(List.of(), event.problems());
  }

  @Test
  void unbundlesACumulativeEvent() throws Exception {
    AvenaEvent one = MAPPER.readValue(GET_STATE_REPLY, AvenaEvent.class);
    AvenaEvent two =
        new AvenaEvent(
            "io",
            "10.0.0.7",
            8001,
            "orchestrator",
            "10.0.0.2",
            8080,
            "CMD_HEALTH_CHECK",
            JsonNodeFactory.instance.objectNode().put("cpu", 0.5),
            99L,
            1,
            false,
            false,
            null,
            LocalDateTime.of(2026, 11, 22, 5, 0),
            AvenaResult.success());
    AvenaEvent bundle = AvenaEvent.cumulative(List.of(one, two), MAPPER);
    String wire = MAPPER.writeValueAsString(bundle);
    AvenaEvent read = MAPPER.readValue(wire, AvenaEvent.class);
    assertTrue(read.isCumulative());
    assertFalse(read.isReply());
    assertEquals(List.of(), read.problems());
    assertEquals(List.of(one, two), read.unbundle(MAPPER));
    assertEquals(List.of(one), one.unbundle(MAPPER));
  }

  @Test
  void aBadBundledEventIsNamed() throws Exception {
    AvenaEvent noArray =
        MAPPER.readValue(
            "{\"event_type\":\"cumulative\",\"data\":{\"events\":5}}", AvenaEvent.class);
    assertEquals(
        List.of("a cumulative event needs data.events, an array of events"), noArray.problems());
    assertThrows(IllegalArgumentException.class, () -> noArray.unbundle(MAPPER));

    assertBundleFails("[{\"event_type\":\"a\"}, {\"data\":{}}]", "data.events[1]", "event_type");
    assertBundleFails("[{\"event_type\":\"a\", \"timestamp\":\"soon\"}]", "data.events[0]", "soon");
    assertBundleFails("[{\"event_type\":\"a\", \"source_port\":\"x\"}]", "data.events[0]", "");
    assertBundleFails("[7]", "data.events[0]", "event object");
    assertBundleFails(
        "[{\"event_type\":\"cumulative\",\"data\":{\"events\":[]}}]", "data.events[0]", "nest");
  }

  private static void assertBundleFails(String events, String where, String fragment)
      throws Exception {
    AvenaEvent bundle =
        MAPPER.readValue(
            "{\"event_type\":\"cumulative\",\"data\":{\"events\":" + events + "}}",
            AvenaEvent.class);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> bundle.unbundle(MAPPER));
    assertTrue(e.getMessage().startsWith(where), e::getMessage);
    assertTrue(e.getMessage().contains(fragment), e::getMessage);
  }

  @Test
  void typedFieldsAreValidated() {
    assertRefused("{\"event_type\": 5}");
    assertRefused("{\"event_type\": \"a\", \"source_port\": \"8001x\"}");
    assertRefused("{\"event_type\": \"a\", \"source_port\": 80.5}");
    assertRefused("{\"event_type\": \"a\", \"id\": \"abc\"}");
    assertRefused("{\"event_type\": \"a\", \"to_be_processed\": \"yes\"}");
    assertRefused("{\"event_type\": \"a\", \"timestamp\": 1700000000}");
    assertRefused("{\"event_type\": \"a\", \"timestamp\": \"2026-11-22\"}");
    assertRefused("{\"event_type\": \"a\", \"result\": \"success\"}");
    assertRefused("{\"event_type\": \"a\", \"result\": {\"error_code\": \"E1\"}}");
  }

  @Test
  void problemsListWhatTheMapperCannotCheck() throws Exception {
    assertProblem("{}", "event_type is required");
    assertProblem("{\"event_type\": \" \"}", "event_type is required");
    assertProblem("{\"event_type\": \"a\", \"data\": [1]}", "data must be a JSON object");
    assertProblem("{\"event_type\": \"a\", \"source_port\": 70000}", "source_port");
    assertProblem("{\"event_type\": \"a\", \"payload\": -1}", "payload");
    assertProblem(
        "{\"event_type\": \"a\", \"result\": {\"result\": \"maybe\"}}", "'maybe' is not one of");
    assertProblem(
        "{\"event_type\": \"a\", \"source\": \"" + "x".repeat(2000) + "\"}", "source is longer");
  }

  private static void assertRefused(String json) {
    assertThrows(JsonProcessingException.class, () -> MAPPER.readValue(json, AvenaEvent.class));
  }

  private static void assertProblem(String json, String fragment) throws Exception {
    List<String> problems = MAPPER.readValue(json, AvenaEvent.class).problems();
    assertTrue(problems.stream().anyMatch(p -> p.contains(fragment)), problems::toString);
  }

  private static List<String> iterate(Iterator<String> it) {
    List<String> all = new ArrayList<>();
    it.forEachRemaining(all::add);
    return all;
  }
}
