package dev.orchestrator.gateway.scenario;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.Bootstrap;
import dev.orchestrator.gateway.ApiRoutes;
import dev.orchestrator.gateway.ErrorMapping;
import dev.orchestrator.gateway.GatewaySettings;
import dev.orchestrator.gateway.Json;
import dev.orchestrator.gateway.Problem;
import dev.orchestrator.gateway.SingletonAsk;
import dev.orchestrator.gateway.auth.Caller;
import dev.orchestrator.gateway.auth.Role;
import dev.orchestrator.singleton.Orchestrator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code POST /api/v1/events} (operator): an event from outside, {@code {type, source?, data?}},
 * handed to the orchestrator singleton for event-triggered scenarios; 202 with its id and the
 * scenarios whose trigger it matches once it is journaled.
 */
public final class IngestRoutes extends ApiRoutes {
  static final Pattern TYPE = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");
  static final int MAX_SOURCE = 128;

  /** The request body. */
  public record EventBody(String type, String source, JsonNode data) {}

  /** The answer: the id the event is journaled under, the scenarios whose trigger matches. */
  public record Accepted(String eventId, List<String> matched) {}

  private final SingletonAsk singleton;

  public IngestRoutes(
      Bootstrap.Services services, GatewaySettings settings, Json json, ErrorMapping errors) {
    super(json, errors);
    this.singleton =
        new SingletonAsk(services.system(), services.orchestrator(), settings.askTimeout());
  }

  @Override
  public Route route(Caller caller) {
    return path(
        "events",
        () ->
            post(
                () ->
                    authorized(
                        caller, Role.OPERATOR, p -> withBody(EventBody.class, this::ingest))));
  }

  private Route ingest(EventBody body) {
    Orchestrator.IncomingEvent event = event(body);
    // Chosen once: an ask tried again after no answer journals the event under the same id.
    String eventId = UUID.randomUUID().toString();
    return onSuccess(
        refusedAs(
            singleton.<Orchestrator.Ingested>askWithStatus(
                replyTo -> new Orchestrator.Ingest(event, eventId, replyTo)),
            Problem::conflict),
        ingested ->
            json(
                StatusCodes.ACCEPTED,
                new Accepted(
                    ingested.eventId(),
                    ingested.matched() == null ? List.of() : ingested.matched())));
  }

  /** Checks every field, reporting all problems at once. */
  static Orchestrator.IncomingEvent event(EventBody body) {
    List<String> problems = new ArrayList<>();
    if (body.type() == null || body.type().isEmpty()) {
      problems.add("type is required, such as UPS_POWER_LOST");
    } else if (!TYPE.matcher(body.type()).matches()) {
      problems.add(
          "type '"
              + abbreviate(body.type())
              + "' must be 1 to 128 letters, digits, '_', '.', ':' or '-'");
    }
    if (body.source() != null && (body.source().isBlank() || body.source().length() > MAX_SOURCE)) {
      problems.add("source, when given, must be 1 to " + MAX_SOURCE + " characters, not blank");
    }
    JsonNode data = body.data() == null || body.data().isNull() ? null : body.data();
    if (data != null && !data.isObject()) {
      problems.add(
          "data must be a JSON object (templates read it as trigger.data.x), not "
              + data.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    if (!problems.isEmpty()) {
      throw badRequest(String.join("; ", problems));
    }
    return new Orchestrator.IncomingEvent(body.type(), body.source(), data);
  }

  private static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }
}
