package dev.orchestrator.gateway.lifecycle;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.Location;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import dev.orchestrator.Bootstrap;
import dev.orchestrator.gateway.ApiException;
import dev.orchestrator.gateway.ApiRoutes;
import dev.orchestrator.gateway.ErrorMapping;
import dev.orchestrator.gateway.GatewaySettings;
import dev.orchestrator.gateway.Json;
import dev.orchestrator.gateway.Problem;
import dev.orchestrator.gateway.auth.Caller;
import dev.orchestrator.gateway.auth.Role;
import dev.orchestrator.lifecycle.ComponentTopology;
import dev.orchestrator.lifecycle.LifecyclePlanner;
import dev.orchestrator.lifecycle.LifecycleRuns;
import dev.orchestrator.protocol.Durations;
import dev.orchestrator.protocol.component.LifecycleCommand;
import dev.orchestrator.protocol.lifecycle.LifecycleRunSpec;
import dev.orchestrator.protocol.lifecycle.LifecycleRunView;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /api/v1/lifecycle} (operator): one lifecycle command for a component, a group or
 * {@code @all}, in dependency order, as a durable run; {@code GET /api/v1/lifecycle/{runId}}
 * (viewer): its report, step by step and component by component.
 */
public final class LifecycleRoutes extends ApiRoutes {

  /** The request body. Durations as {@code 500ms|30s|5m|1h}. */
  public record Body(
      String target, String command, String order, String stepTimeout, String timeout) {}

  private final LifecycleRuns runs;

  public LifecycleRoutes(
      Bootstrap.Services services, GatewaySettings settings, Json json, ErrorMapping errors) {
    super(json, errors);
    this.runs =
        new LifecycleRuns(
            services.sharding(),
            new ComponentTopology(services.database().dataSource(), services.blockingExecutor()),
            settings.askTimeout());
  }

  @Override
  public Route route(Caller caller) {
    return pathPrefix(
        "lifecycle",
        () ->
            concat(
                pathEnd(
                    () ->
                        post(
                            () ->
                                authorized(
                                    caller,
                                    Role.OPERATOR,
                                    p -> withBody(Body.class, this::start)))),
                path(
                    PathMatchers.segment(),
                    runId -> get(() -> authorized(caller, Role.VIEWER, p -> report(runId))))));
  }

  private Route start(Body body) {
    LifecycleRunSpec spec =
        new LifecycleRunSpec(
            body.target(),
            command(body.command()),
            body.order(),
            duration(body.stepTimeout(), "stepTimeout"),
            duration(body.timeout(), "timeout"));
    List<String> problems = spec.problems();
    if (!problems.isEmpty()) {
      throw badRequest(String.join("; ", problems));
    }
    String runId = UUID.randomUUID().toString();
    CompletionStage<LifecycleRunView> started =
        refusedAs(runs.start(runId, spec), Problem::badRequest)
            .exceptionally(
                failure -> {
                  Throwable t = ErrorMapping.unwrap(failure);
                  if (t instanceof LifecyclePlanner.Unplannable e) {
                    throw new ApiException(
                        e.notFound()
                            ? Problem.notFound(e.getMessage())
                            : Problem.conflict(e.getMessage()));
                  }
                  throw new CompletionException(t);
                });
    return onSuccess(
        started,
        view ->
            respondWithHeader(
                Location.create("/api/v1/lifecycle/" + runId),
                () -> json(StatusCodes.ACCEPTED, view)));
  }

  private Route report(String runId) {
    try {
      UUID.fromString(runId);
    } catch (IllegalArgumentException e) {
      throw badRequest("a lifecycle run id is a UUID, not '" + runId + "'");
    }
    return onSuccess(
        refusedAs(runs.get(runId), Problem::notFound), view -> json(StatusCodes.OK, view));
  }

  private static LifecycleCommand command(String text) {
    if (text == null) {
      return null;
    }
    try {
      return LifecycleCommand.valueOf(text);
    } catch (IllegalArgumentException e) {
      throw badRequest(
          "command '"
              + text
              + "' is unknown; use one of "
              + Arrays.toString(LifecycleCommand.values()));
    }
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
}
