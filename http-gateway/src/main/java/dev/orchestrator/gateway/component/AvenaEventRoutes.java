package dev.orchestrator.gateway.component;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.type.LogicalType;
import dev.orchestrator.component.driver.http.ReplyRouter;
import dev.orchestrator.gateway.ApiException;
import dev.orchestrator.gateway.Json;
import dev.orchestrator.gateway.Problem;
import dev.orchestrator.protocol.avena.AvenaEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /event}: where avena components send their replies and their own events, as they send
 * them to any avena listener. No token (avena components send none), so only well-formed events are
 * taken: JSON of the avena shape with the right types, an {@code event_type}, a Python timestamp,
 * at most the gateway's 1 MiB; anything else is a 400 problem. A {@code cumulative} bundle is
 * unbundled (all or nothing). Each event goes to the node's {@link ReplyRouter}; the answer is 200
 * with {@code {}} at once, as avena listeners expect, whatever became of the event. A reply that
 * answers no request of this node is dropped with a WARN, at most once a minute per source. Not
 * audited: components poll and reply every second.
 */
public final class AvenaEventRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(AvenaEventRoutes.class);
  private static final long WARN_EVERY_NANOS = Duration.ofMinutes(1).toNanos();
  private static final int MAX_WARNED_SOURCES = 1000;

  private final ReplyRouter router;
  private final ObjectMapper mapper;
  private final ConcurrentHashMap<String, Long> warned = new ConcurrentHashMap<>();

  public AvenaEventRoutes(ReplyRouter router, Json json) {
    this.router = router;
    // The gateway's strict mapper (AvenaEvent itself ignores unknown fields), and no 80.5 ports.
    this.mapper = json.mapper().copy();
    mapper
        .coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
  }

  public Route route() {
    return path(
        "event",
        () -> post(() -> entity(Unmarshaller.entityToString(), body -> accepted(read(body)))));
  }

  private Route accepted(List<AvenaEvent> events) {
    for (AvenaEvent event : events) {
      switch (router.accept(event)) {
        case UNKNOWN_REPLY -> warnUnknown(event);
        case LATE_REPLY ->
            log.debug(
                "Late reply {} {} from '{}' dropped: nobody waits for it any more",
                event.eventType(),
                event.id(),
                event.source());
        default -> {}
      }
    }
    return complete(StatusCodes.OK, HttpEntities.create(ContentTypes.APPLICATION_JSON, "{}"));
  }

  /** The events of the body, every one valid, or a 400 that says what is wrong. */
  List<AvenaEvent> read(String body) {
    if (body == null || body.isBlank()) {
      throw new ApiException(
          Problem.malformedJson("the request needs a JSON body: an avena event"));
    }
    AvenaEvent event;
    try {
      event = mapper.readValue(body, AvenaEvent.class);
    } catch (MismatchedInputException e) {
      String field = path(e);
      throw new ApiException(
          Problem.malformedJson(
              (field.isEmpty() ? "the body" : "field '" + field + "'")
                  + " is not what an avena event has there: "
                  + e.getOriginalMessage()));
    } catch (JsonProcessingException e) {
      throw new ApiException(
          Problem.malformedJson("the body is not valid JSON: " + e.getOriginalMessage()));
    }
    if (event == null) {
      throw new ApiException(Problem.malformedJson("the body must be an avena event, not null"));
    }
    List<String> problems = event.problems();
    if (!problems.isEmpty()) {
      throw new ApiException(Problem.badRequest(String.join("; ", problems)));
    }
    try {
      return event.unbundle(mapper);
    } catch (IllegalArgumentException e) {
      throw new ApiException(Problem.badRequest(e.getMessage()));
    }
  }

  private void warnUnknown(AvenaEvent event) {
    String source = event.source() + " (" + event.sourceAddress() + ":" + event.sourcePort() + ")";
    long now = System.nanoTime();
    if (warned.size() > MAX_WARNED_SOURCES) {
      warned.clear();
    }
    boolean[] due = new boolean[1];
    warned.compute(
        source,
        (key, last) -> {
          if (last == null || now - last >= WARN_EVERY_NANOS) {
            due[0] = true;
            return now;
          }
          return last;
        });
    if (due[0]) {
      log.warn(
          "Reply {} (id {}) from {} answers no request of this node; dropped (said at most once a"
              + " minute per source)",
          event.eventType(),
          event.id(),
          source);
    }
  }

  private static String path(MismatchedInputException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."))
        .replace(".[", "[");
  }
}
