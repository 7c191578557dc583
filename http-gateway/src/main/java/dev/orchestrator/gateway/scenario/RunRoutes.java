package dev.orchestrator.gateway.scenario;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import dev.orchestrator.Bootstrap;
import dev.orchestrator.gateway.ApiException;
import dev.orchestrator.gateway.ApiRoutes;
import dev.orchestrator.gateway.EntityAsker;
import dev.orchestrator.gateway.ErrorMapping;
import dev.orchestrator.gateway.GatewaySettings;
import dev.orchestrator.gateway.Json;
import dev.orchestrator.gateway.Problem;
import dev.orchestrator.gateway.auth.Caller;
import dev.orchestrator.gateway.auth.Role;
import dev.orchestrator.protocol.scenario.RunStatus;
import dev.orchestrator.protocol.scenario.ScenarioRunCommand;
import dev.orchestrator.protocol.scenario.ScenarioRunView;
import dev.orchestrator.scenario.ScenarioKeys;
import dev.orchestrator.scenario.readside.ScenarioRunRepository;
import dev.orchestrator.scenario.readside.ScenarioRunSummary;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * {@code /api/v1/runs}: scenario runs, newest first from the read side (viewer), one run's report
 * from its entity (viewer), and cancel (operator).
 */
public final class RunRoutes extends ApiRoutes {
  private static final int DEFAULT_LIMIT = 100;
  private static final int MAX_LIMIT = 1000;

  /** The body of a cancel; optional. */
  public record CancelBody(String reason) {}

  private final Bootstrap.Services services;
  private final Duration askTimeout;
  private final EntityAsker<ScenarioRunCommand> entities;

  public RunRoutes(
      Bootstrap.Services services, GatewaySettings settings, Json json, ErrorMapping errors) {
    super(json, errors);
    this.services = services;
    this.askTimeout = settings.askTimeout();
    this.entities = new EntityAsker<>(services.sharding(), ScenarioKeys.RUN, askTimeout);
  }

  @Override
  public Route route(Caller caller) {
    return pathPrefix(
        "runs",
        () ->
            concat(
                pathEnd(() -> get(() -> authorized(caller, Role.VIEWER, p -> list()))),
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
                                            Unmarshaller.entityToString(),
                                            body -> cancel(id, body)))))));
  }

  private Route list() {
    return parameterOptional(
        "scenario",
        scenario ->
            parameterOptional(
                "status",
                status ->
                    parameterOptional(
                        "after",
                        after ->
                            parameterOptional(
                                "limit",
                                limitText -> {
                                  scenario.ifPresent(ScenarioRoutes::checkName);
                                  after.ifPresent(id -> checkId(id, "after"));
                                  int limit = limit(limitText, DEFAULT_LIMIT, MAX_LIMIT);
                                  return onSuccess(
                                      page(
                                          scenario.orElse(null),
                                          status.map(RunRoutes::status).orElse(null),
                                          after,
                                          limit),
                                      p -> json(StatusCodes.OK, p));
                                }))));
  }

  private CompletionStage<RunResponse.Page> page(
      String scenario, RunStatus status, Optional<String> after, int limit) {
    return services
        .scenarioRuns()
        .list(scenario, status, after.orElse(null), limit)
        .exceptionally(
            failure -> {
              Throwable t = ErrorMapping.unwrap(failure);
              if (t instanceof ScenarioRunRepository.UnknownCursor unknown) {
                throw new ApiException(Problem.badRequest(unknown.getMessage()));
              }
              throw new CompletionException(t);
            })
        .thenApply(runs -> page(runs, limit));
  }

  private static RunResponse.Page page(List<ScenarioRunSummary> runs, int limit) {
    List<RunResponse.Summary> items = runs.stream().map(RunResponse.Summary::of).toList();
    String next = items.size() == limit ? items.get(items.size() - 1).id() : null;
    return new RunResponse.Page(items, next);
  }

  private Route read(String id) {
    checkId(id, "a run id");
    return onSuccess(
        entities.ask(id, ScenarioRunCommand.Get::new, m -> unknown(id)),
        view -> json(StatusCodes.OK, RunResponse.of(view)));
  }

  /** 404 when no run has the id, 409 when the run refuses (it has ended). */
  private Route cancel(String id, String body) {
    checkId(id, "a run id");
    String reason =
        body == null || body.isBlank() ? null : json.read(body, CancelBody.class).reason();
    CompletionStage<ScenarioRunView> cancelled =
        entities
            .ask(id, ScenarioRunCommand.Get::new, m -> unknown(id))
            .thenCompose(
                known ->
                    entities.ask(
                        id,
                        replyTo -> new ScenarioRunCommand.Cancel(reason, replyTo),
                        Problem::conflict));
    return onSuccess(cancelled, view -> json(StatusCodes.OK, RunResponse.of(view)));
  }

  private static Problem unknown(String id) {
    return Problem.notFound("no scenario run has the id '" + id + "'");
  }

  private static void checkId(String id, String what) {
    try {
      UUID.fromString(id);
      if (id.length() == 36) {
        return;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw badRequest(
        what + " is a UUID such as 3f2b8c1e-0d4a-4c55-9a57-2b7e51f0c9aa, not '" + id + "'");
  }

  private static RunStatus status(String text) {
    try {
      return RunStatus.valueOf(text);
    } catch (IllegalArgumentException e) {
      throw badRequest(
          "status '"
              + text
              + "' is unknown; use one of "
              + Arrays.stream(RunStatus.values())
                  .map(Enum::name)
                  .collect(Collectors.joining(", ")));
    }
  }
}
