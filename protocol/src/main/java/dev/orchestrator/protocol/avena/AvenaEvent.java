package dev.orchestrator.protocol.avena;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orchestrator.protocol.JsonSerializable;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * An event of the avena event protocol ({@code avena_commons.event_listener.Event}), field by field
 * as its {@code to_dict()} writes it. The orchestrator POSTs these to a component's {@code /event};
 * the component answers later by POSTing the event back, {@code result} set and source and
 * destination swapped. Several events may arrive bundled as one {@link #CUMULATIVE} event with
 * {@code data.events = [...]}.
 *
 * <p>Reading is tolerant where avena is (unknown fields are ignored, since avena versions add
 * fields; missing fields take avena's defaults) and strict about types (a number where a string is
 * expected is refused by the mapper). {@link #problems()} lists what Jackson cannot check.
 *
 * @param data a JSON object; an empty one when absent
 * @param id the event's id, by which a reply is matched to its request; null when absent
 * @param payload how many events this one carries (avena's default: 1)
 * @param maximumProcessingTime seconds, null when absent
 * @param timestamp Python's {@code str(datetime)}, see {@link PythonTimestamp}; null when absent
 * @param result null in a request, set in a reply
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({
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
  "result"
})
public record AvenaEvent(
    @JsonProperty("source") String source,
    @JsonProperty("source_address") String sourceAddress,
    @JsonProperty("source_port") Integer sourcePort,
    @JsonProperty("destination") String destination,
    @JsonProperty("destination_address") String destinationAddress,
    @JsonProperty("destination_port") Integer destinationPort,
    @JsonProperty("event_type") String eventType,
    @JsonProperty("data") JsonNode data,
    @JsonProperty("id") Long id,
    @JsonProperty("payload") Integer payload,
    @JsonProperty("to_be_processed") Boolean toBeProcessed,
    @JsonProperty("is_processing") Boolean isProcessing,
    @JsonProperty("maximum_processing_time") Double maximumProcessingTime,
    @JsonProperty("timestamp")
        @JsonSerialize(using = PythonTimestamp.Serializer.class)
        @JsonDeserialize(using = PythonTimestamp.Deserializer.class)
        LocalDateTime timestamp,
    @JsonProperty("result") AvenaResult result)
    implements JsonSerializable {

  /** The event type of a bundle: {@code data.events} holds the events. */
  public static final String CUMULATIVE = "cumulative";

  public static final String CMD_GET_STATE = "CMD_GET_STATE";
  public static final String CMD_HEALTH_CHECK = "CMD_HEALTH_CHECK";

  /** avena's default {@code maximum_processing_time}, in seconds. */
  public static final double DEFAULT_MAXIMUM_PROCESSING_TIME = 20.0;

  public static final int MAX_TEXT = 1024;

  public AvenaEvent {
    sourcePort = sourcePort == null ? 0 : sourcePort;
    destinationPort = destinationPort == null ? 0 : destinationPort;
    data = data == null || data.isNull() ? JsonNodeFactory.instance.objectNode() : data;
    payload = payload == null ? 1 : payload;
    toBeProcessed = toBeProcessed != null && toBeProcessed;
    isProcessing = isProcessing != null && isProcessing;
  }

  /**
   * A request from {@code source} (reachable at {@code sourceAddress:sourcePort}) to a component,
   * without result, with avena's defaults for the other fields.
   */
  public static AvenaEvent request(
      String source,
      String sourceAddress,
      int sourcePort,
      String destination,
      String destinationAddress,
      int destinationPort,
      String eventType,
      ObjectNode data,
      long id,
      LocalDateTime timestamp) {
    return new AvenaEvent(
        source,
        sourceAddress,
        sourcePort,
        destination,
        destinationAddress,
        destinationPort,
        eventType,
        data,
        id,
        1,
        false,
        false,
        DEFAULT_MAXIMUM_PROCESSING_TIME,
        timestamp,
        null);
  }

  /** The answer to this event, as an avena component sends it: swapped ends, result set. */
  public AvenaEvent reply(AvenaResult answer, JsonNode replyData) {
    return new AvenaEvent(
        destination,
        destinationAddress,
        destinationPort,
        source,
        sourceAddress,
        sourcePort,
        eventType,
        replyData,
        id,
        payload,
        toBeProcessed,
        isProcessing,
        maximumProcessingTime,
        timestamp,
        answer);
  }

  /** A bundle of {@code events} in one {@link #CUMULATIVE} event, from this event's ends. */
  public static AvenaEvent cumulative(List<AvenaEvent> events, ObjectMapper mapper) {
    AvenaEvent first = events.get(0);
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.set("events", mapper.valueToTree(events));
    return new AvenaEvent(
        first.source,
        first.sourceAddress,
        first.sourcePort,
        first.destination,
        first.destinationAddress,
        first.destinationPort,
        CUMULATIVE,
        data,
        null,
        events.size(),
        false,
        false,
        first.maximumProcessingTime,
        first.timestamp,
        null);
  }

  @JsonIgnore
  public boolean isCumulative() {
    return CUMULATIVE.equals(eventType);
  }

  /** Whether this event answers another one: it carries a result. */
  @JsonIgnore
  public boolean isReply() {
    return result != null;
  }

  /** Everything wrong with this event that the mapper does not check; empty when acceptable. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (eventType == null || eventType.isBlank()) {
      problems.add("event_type is required, such as \"CMD_GET_STATE\"");
    }
    checkText(problems, "event_type", eventType);
    checkText(problems, "source", source);
    checkText(problems, "source_address", sourceAddress);
    checkText(problems, "destination", destination);
    checkText(problems, "destination_address", destinationAddress);
    checkPort(problems, "source_port", sourcePort);
    checkPort(problems, "destination_port", destinationPort);
    if (!data.isObject()) {
      problems.add("data must be a JSON object, not " + data.getNodeType().name().toLowerCase());
    }
    if (payload < 0) {
      problems.add("payload must not be negative");
    }
    if (maximumProcessingTime != null
        && (maximumProcessingTime.isNaN() || maximumProcessingTime < 0)) {
      problems.add("maximum_processing_time must be a non-negative number of seconds");
    }
    if (result != null && result.problem() != null) {
      problems.add(result.problem());
    }
    if (isCumulative() && !data.path("events").isArray()) {
      problems.add("a cumulative event needs data.events, an array of events");
    }
    return problems;
  }

  /**
   * The events this one stands for: the events of a {@link #CUMULATIVE} bundle, read with {@code
   * mapper}, or this event alone.
   *
   * @throws IllegalArgumentException naming the first bundled event that is not acceptable
   */
  public List<AvenaEvent> unbundle(ObjectMapper mapper) {
    if (!isCumulative()) {
      return List.of(this);
    }
    JsonNode events = data.path("events");
    if (!events.isArray()) {
      throw new IllegalArgumentException(
          "a cumulative event needs data.events, an array of events");
    }
    List<AvenaEvent> all = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      String where = "data.events[" + i + "]";
      JsonNode node = events.get(i);
      if (!node.isObject()) {
        throw new IllegalArgumentException(where + " must be an event object");
      }
      AvenaEvent event;
      try {
        event = mapper.treeToValue(node, AvenaEvent.class);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException(where + ": " + e.getOriginalMessage(), e);
      }
      List<String> problems = event.problems();
      if (!problems.isEmpty()) {
        throw new IllegalArgumentException(where + ": " + String.join("; ", problems));
      }
      if (event.isCumulative()) {
        throw new IllegalArgumentException(where + " is itself cumulative; bundles do not nest");
      }
      all.add(event);
    }
    return all;
  }

  private static void checkText(List<String> problems, String field, String value) {
    if (value != null && value.length() > MAX_TEXT) {
      problems.add(field + " is longer than " + MAX_TEXT + " characters");
    }
  }

  private static void checkPort(List<String> problems, String field, int port) {
    if (port < 0 || port > 65535) {
      problems.add(field + " must be a port number from 0 to 65535, not " + port);
    }
  }
}
