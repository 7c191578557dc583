package dev.orchestrator.gateway.command;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.Location;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import dev.orchestrator.Bootstrap;
import dev.orchestrator.command.CommandEntity;
import dev.orchestrator.command.CommandIds;
import dev.orchestrator.gateway.ApiRoutes;
import dev.orchestrator.gateway.EntityAsker;
import dev.orchestrator.gateway.ErrorMapping;
import dev.orchestrator.gateway.GatewaySettings;
import dev.orchestrator.gateway.Json;
import dev.orchestrator.gateway.Problem;
import dev.orchestrator.gateway.auth.Caller;
import dev.orchestrator.gateway.auth.Role;
import dev.orchestrator.protocol.Durations;
import dev.orchestrator.protocol.command.Backoff;
import dev.orchestrator.protocol.command.CommandRequest;
import dev.orchestrator.protocol.command.CommandSpec;
import dev.orchestrator.protocol.command.CommandStatus;
import dev.orchestrator.protocol.command.CommandView;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * {@code /api/v1/commands}: submit durable commands, read them, list them from the read side,
 * cancel them.
 */
public final class CommandRoutes extends ApiRoutes {
  private static final int DEFAULT_LIMIT = 100;
  private static final int MAX_LIMIT = 1000;
  static final int MAX_BATCH = 1000;
  static final int BATCH_PARALLELISM = 32;

  private final Bootstrap.Services services;
  private final Duration askTimeout;
  private final EntityAsker<CommandRequest> entities;

  public CommandRoutes(
      Bootstrap.Services services, GatewaySettings settings, Json json, ErrorMapping errors) {
    super(json, errors);
    this.services = services;
    this.askTimeout = settings.askTimeout();
    this.entities =
        new EntityAsker<>(services.sharding(), CommandEntity.ENTITY_TYPE_KEY, askTimeout);
  }

  @Override
  public Route route(Caller caller) {
    return pathPrefix(
        "commands",
        () ->
            concat(
                pathEnd(
                    () ->
                        concat(
                            post(
                                () ->
                                    authorized(
                                        caller,
                                        Role.OPERATOR,
                                        p ->
                                            entity(
                                                akka.http.javadsl.unmarshalling.Unmarshaller
                                                    .entityToString(),
                                                this::submitOneOrMany))),
                            get(() -> authorized(caller, Role.VIEWER, p -> list())))),
                path("counts", () -> get(() -> authorized(caller, Role.VIEWER, p -> counts()))),
                path(
                    PathMatchers.segment(),
                    id -> get(() -> authorized(caller, Role.VIEWER, p -> read(id)))),
                path(
                    PathMatchers.segment().slash("cancel"),
                    id ->
                        post(
                            () ->
                                authorized(
                                    caller,
                                    Role.OPERATOR,
                                    p ->
                                        entity(
                                            akka.http.javadsl.unmarshalling.Unmarshaller
                                                .entityToString(),
                                            body -> cancel(id, body)))))));
  }

  /** A JSON object submits one command; a JSON array submits a batch. */
  private Route submitOneOrMany(String body) {
    if (body != null && body.stripLeading().startsWith("[")) {
      return submitBatch(json.read(body, CommandBody[].class));
    }
    return submit(json.read(body, CommandBody.class));
  }

  /**
   * Every command of the batch is checked first (a batch with any problem persists nothing), then
   * submitted, 32 at a time; each is acknowledged after its own first event is committed. 202 when
   * all were accepted; 207 with the accepted ids and, for the others, why (a timeout: the command
   * may or may not exist; resubmit it with an idempotency key to be sure).
   */
  private Route submitBatch(CommandBody[] bodies) {
    if (bodies.length == 0 || bodies.length > MAX_BATCH) {
      throw badRequest("a batch has 1 to " + MAX_BATCH + " commands, not " + bodies.length);
    }
    List<CommandSpec> specs = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < bodies.length; i++) {
      if (bodies[i] == null) {
        throw badRequest("[" + i + "] is null; each element is a command object");
      }
      CommandSpec spec = spec(bodies[i], "[" + i + "].");
      String prefix = "[" + i + "]: ";
      spec.problems().forEach(problem -> problems.add(prefix + problem));
      specs.add(spec);
    }
    if (!problems.isEmpty()) {
      throw badRequest(String.join("; ", problems));
    }
    // At most BATCH_PARALLELISM submits of one batch in flight: each ask's timeout then measures
    // the command's own wait, not its place in a queue of a thousand (which timed out under load).
    CompletionStage<List<CommandResponse.Item>> all =
        Source.from(specs)
            .mapAsync(
                BATCH_PARALLELISM,
                spec ->
                    entities
                        .<CommandView>ask(
                            CommandIds.of(spec),
                            replyTo -> new CommandRequest.Submit(spec, null, replyTo),
                            Problem::badRequest)
                        .handle(
                            (view, failure) ->
                                failure == null
                                    ? new CommandResponse.Item(
                                        view.id(), view.status().name(), null)
                                    : new CommandResponse.Item(
                                        null, null, ErrorMapping.unwrap(failure).getMessage())))
            .runWith(Sink.seq(), services.system());
    return onSuccess(
        all,
        accepted ->
            json(
                accepted.stream().allMatch(item -> item.error() == null)
                    ? StatusCodes.ACCEPTED
                    : StatusCodes.MULTI_STATUS,
                new CommandResponse.Batch(accepted)));
  }

  private Route submit(CommandBody body) {
    CommandSpec spec = spec(body, "");
    List<String> problems = spec.problems();
    if (!problems.isEmpty()) {
      throw badRequest(String.join("; ", problems));
    }
    String id = CommandIds.of(spec);
    return onSuccess(
        entities.<CommandView>ask(
            id, replyTo -> new CommandRequest.Submit(spec, null, replyTo), Problem::badRequest),
        view ->
            respondWithHeader(
                Location.create("/api/v1/commands/" + view.id()),
                () ->
                    json(
                        StatusCodes.ACCEPTED,
                        new CommandResponse.Accepted(view.id(), view.status().name()))));
  }

  private Route read(String id) {
    checkId(id);
    return onSuccess(
        entities.<CommandView>ask(id, CommandRequest.Get::new, Problem::notFound),
        view -> json(StatusCodes.OK, CommandResponse.of(view)));
  }

  private Route cancel(String id, String body) {
    checkId(id);
    String reason =
        body == null || body.isBlank()
            ? null
            : json.read(body, CommandBody.CancelBody.class).reason();
    return onSuccess(
        entities.<CommandView>ask(
            id,
            replyTo -> new CommandRequest.Cancel(reason, replyTo),
            message ->
                message.startsWith("no command")
                    ? Problem.notFound(message)
                    : Problem.conflict(message)),
        view -> json(StatusCodes.OK, CommandResponse.of(view)));
  }

  private Route list() {
    return parameterOptional(
        "status",
        status ->
            parameterOptional(
                "name",
                name ->
                    parameterOptional(
                        "after",
                        after ->
                            parameterOptional(
                                "limit",
                                limitText -> {
                                  int limit = limit(limitText, DEFAULT_LIMIT, MAX_LIMIT);
                                  CompletionStage<CommandResponse.Page> page =
                                      services
                                          .commands()
                                          .list(
                                              status.map(CommandRoutes::status).orElse(null),
                                              name.orElse(null),
                                              after.orElse(null),
                                              limit)
                                          .thenApply(views -> page(views, limit));
                                  return onSuccess(page, p -> json(StatusCodes.OK, p));
                                }))));
  }

  private Route counts() {
    return onSuccess(
        services.commands().countsByStatus(),
        counts -> {
          Map<String, Long> byName = new LinkedHashMap<>();
          counts.forEach((status, n) -> byName.put(status.name(), n));
          return json(StatusCodes.OK, new CommandResponse.Counts(byName));
        });
  }

  /** Turns the wire form into a spec; every field error names its path, e.g. onSuccess.timeout. */
  private static CommandSpec spec(CommandBody body, String path) {
    if (body == null) {
      return null;
    }
    Backoff backoff = null;
    if (body.backoff() != null) {
      backoff =
          new Backoff(
              duration(body.backoff().initial(), path + "backoff.initial"),
              duration(body.backoff().max(), path + "backoff.max"),
              body.backoff().factor() == null ? 0 : body.backoff().factor());
    }
    return new CommandSpec(
        body.name(),
        body.input(),
        body.target(),
        instant(body.scheduledAt(), path + "scheduledAt"),
        duration(body.timeout(), path + "timeout"),
        body.retries() == null ? 0 : body.retries(),
        backoff,
        body.idempotencyKey(),
        spec(body.onSuccess(), path + "onSuccess."),
        spec(body.onFailure(), path + "onFailure."),
        spec(body.onCancel(), path + "onCancel."));
  }

  private static Duration duration(String text, String field) {
    if (text == null) {
      return null;
    }
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw badRequest(field + ": " + e.getMessage());
    }
  }

  private static Instant instant(String text, String field) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw badRequest(
          field + ": '" + text + "' is not an ISO-8601 instant such as 2026-11-22T08:00:00Z");
    }
  }

  private static CommandResponse.Page page(List<CommandView> views, int limit) {
    List<CommandResponse> items = views.stream().map(CommandResponse::of).toList();
    String next = items.size() == limit ? items.get(items.size() - 1).id() : null;
    return new CommandResponse.Page(items, next);
  }

  private static CommandStatus status(String text) {
    try {
      return CommandStatus.valueOf(text);
    } catch (IllegalArgumentException e) {
      throw badRequest(
          "status '"
              + text
              + "' is unknown; use one of "
              + Arrays.stream(CommandStatus.values())
                  .map(Enum::name)
                  .collect(Collectors.joining(", ")));
    }
  }

  private static void checkId(String id) {
    String problem = CommandSpec.idProblem(id);
    if (problem != null) {
      throw badRequest(problem);
    }
  }
}
