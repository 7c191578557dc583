package dev.orchestrator.gateway.events;

import akka.NotUsed;
import akka.http.javadsl.marshalling.sse.EventStreamMarshalling;
import akka.http.javadsl.model.sse.ServerSentEvent;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.Offset;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.query.Sequence;
import akka.stream.javadsl.Source;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orchestrator.Bootstrap;
import dev.orchestrator.command.CommandTags;
import dev.orchestrator.component.ComponentEntity;
import dev.orchestrator.gateway.ApiRoutes;
import dev.orchestrator.gateway.ErrorMapping;
import dev.orchestrator.gateway.Json;
import dev.orchestrator.gateway.Problem;
import dev.orchestrator.gateway.auth.Caller;
import dev.orchestrator.gateway.auth.Role;
import dev.orchestrator.lifecycle.LifecycleRunEntity;
import dev.orchestrator.scenario.ScenarioKeys;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /api/v1/events/stream[?types=component,command,lifecycle,scenario]} (viewer): what
 * happens to components, commands, lifecycle runs and scenario runs, live, as server-sent events
 * read from the journal. Each event's {@code id} is an {@link EventCursor}; a client that
 * reconnects with it in {@code Last-Event-ID} gets every event after it, nothing twice (the journal
 * is the buffer, so a slow or disconnected client loses nothing and holds no memory on the node).
 * Without {@code Last-Event-ID} the stream starts now. An idle stream sends a comment every 15 s so
 * that proxies keep it open.
 */
public final class EventStreamRoutes extends ApiRoutes {
  /** The event families a client can ask for, and the journal tags that carry them. */
  static final Map<String, List<String>> FAMILIES =
      Map.of(
          "component",
          ComponentEntity.TAGS,
          "command",
          CommandTags.TAGS,
          "lifecycle",
          LifecycleRunEntity.TAGS,
          "scenario",
          ScenarioKeys.RUN_TAGS);

  static final int MAX_STREAMS = 64;
  private static final Duration KEEP_ALIVE = Duration.ofSeconds(15);

  private final Bootstrap.Services services;
  private final ObjectMapper mapper;
  private final AtomicInteger open = new AtomicInteger();

  public EventStreamRoutes(Bootstrap.Services services, Json json, ErrorMapping errors) {
    super(json, errors);
    this.services = services;
    this.mapper = json.mapper();
  }

  @Override
  public Route route(Caller caller) {
    return path(
        PathMatchers.segment("events").slash("stream"),
        () ->
            get(
                () ->
                    authorized(
                        caller,
                        Role.VIEWER,
                        principal ->
                            parameterOptional(
                                "types",
                                types ->
                                    optionalHeaderValueByName(
                                        "Last-Event-ID", last -> stream(families(types), last))))));
  }

  private Route stream(Map<String, String> tagFamilies, Optional<String> last) {
    if (open.get() >= MAX_STREAMS) {
      return errors.completeProblem(
          Problem.unavailable(
              "this node already serves "
                  + MAX_STREAMS
                  + " event streams; retry later or use another node"));
    }
    List<String> tags = new ArrayList<>(tagFamilies.keySet());
    CompletionStage<EventCursor> start =
        journalEnd()
            .thenApply(
                end -> {
                  try {
                    return last.map(text -> EventCursor.parse(text, tags, end))
                        .orElseGet(() -> EventCursor.at(tags, end));
                  } catch (IllegalArgumentException e) {
                    throw badRequest(e.getMessage());
                  }
                });
    return onSuccess(
        start,
        cursor ->
            completeOK(
                events(tagFamilies, cursor)
                    .keepAlive(KEEP_ALIVE, ServerSentEvent::heartbeat)
                    .watchTermination(
                        (mat, done) -> {
                          open.incrementAndGet();
                          done.whenComplete((d, e) -> open.decrementAndGet());
                          return mat;
                        }),
                EventStreamMarshalling.toEventStream()));
  }

  private Source<ServerSentEvent, NotUsed> events(
      Map<String, String> tagFamilies, EventCursor from) {
    JdbcReadJournal journal =
        PersistenceQuery.get(services.system())
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    List<Source<Tagged, NotUsed>> perTag = new ArrayList<>();
    tagFamilies.forEach(
        (tag, family) ->
            perTag.add(
                journal
                    .eventsByTag(tag, Offset.sequence(from.offset(tag)))
                    .map(envelope -> new Tagged(tag, family, envelope))));
    return Source.from(perTag)
        .flatMapMerge(perTag.size(), s -> s)
        .statefulMapConcat(
            () -> {
              EventCursor[] cursor = {from};
              return tagged -> {
                long offset = ((Sequence) tagged.envelope().offset()).value();
                cursor[0] = cursor[0].after(tagged.tag(), offset);
                return List.of(sse(tagged, cursor[0]));
              };
            });
  }

  private ServerSentEvent sse(Tagged tagged, EventCursor cursor) {
    Object event = tagged.envelope().event();
    String type = tagged.family() + "." + event.getClass().getSimpleName();
    ObjectNode data = mapper.createObjectNode();
    data.put("type", type);
    data.put("entityId", entityId(tagged.envelope().persistenceId()));
    data.put("sequenceNr", tagged.envelope().sequenceNr());
    data.put("at", Instant.ofEpochMilli(tagged.envelope().timestamp()).toString());
    data.set("event", mapper.valueToTree(event));
    return ServerSentEvent.create(data.toString(), type, cursor.toString());
  }

  private static String entityId(String persistenceId) {
    int bar = persistenceId.indexOf('|');
    return bar < 0 ? persistenceId : persistenceId.substring(bar + 1);
  }

  /** The journal's highest ordering now: where a stream without Last-Event-ID starts. */
  private CompletionStage<Long> journalEnd() {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection c = services.database().connection();
              Statement s = c.createStatement();
              ResultSet rs =
                  s.executeQuery("SELECT coalesce(max(ordering), 0) FROM event_journal")) {
            rs.next();
            return rs.getLong(1);
          } catch (SQLException e) {
            throw new IllegalStateException("cannot read the journal: " + e.getMessage(), e);
          }
        },
        services.blockingExecutor());
  }

  /** tag → family for the requested families (all when {@code types} is absent). */
  private static Map<String, String> families(Optional<String> types) {
    List<String> wanted =
        types
            .map(t -> List.of(t.split(",", -1)))
            .orElse(List.of("component", "command", "lifecycle", "scenario"));
    Map<String, String> tagFamilies = new LinkedHashMap<>();
    for (String family : wanted) {
      List<String> tags = FAMILIES.get(family.trim());
      if (tags == null) {
        throw badRequest(
            "types has '"
                + family
                + "'; the stream carries: "
                + String.join(", ", FAMILIES.keySet().stream().sorted().toList()));
      }
      tags.forEach(tag -> tagFamilies.put(tag, family.trim()));
    }
    return tagFamilies;
  }

  private record Tagged(String tag, String family, EventEnvelope envelope) {}
}
