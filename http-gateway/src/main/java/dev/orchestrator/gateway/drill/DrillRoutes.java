package dev.orchestrator.gateway.drill;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.Location;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import dev.orchestrator.Bootstrap;
import dev.orchestrator.drill.DrillRefused;
import dev.orchestrator.drill.DrillReport;
import dev.orchestrator.drill.Drills;
import dev.orchestrator.gateway.ApiException;
import dev.orchestrator.gateway.ApiRoutes;
import dev.orchestrator.gateway.ErrorMapping;
import dev.orchestrator.gateway.Json;
import dev.orchestrator.gateway.Problem;
import dev.orchestrator.gateway.auth.Caller;
import dev.orchestrator.gateway.auth.Role;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * {@code /api/v1/drills}: start an operator failover drill (admin), read its report and the latest
 * ones (viewer). The report is served as the drill's coordinator stored it ({@link DrillReport}).
 */
public final class DrillRoutes extends ApiRoutes {
  private static final int DEFAULT_LIMIT = 20;
  private static final int MAX_LIMIT = 100;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

  private final Drills drills;

  /** {@code {id, status}}: the drill started; its report is at the Location. */
  public record Started(String id, String status) {}

  /** {@code {items}}: the latest drills, newest first. */
  public record Page(List<DrillReport> items) {}

  public DrillRoutes(Bootstrap.Services services, Json json, ErrorMapping errors) {
    super(json, errors);
    this.drills = services.drills();
  }

  @Override
  public Route route(Caller caller) {
    return pathPrefix(
        "drills",
        () ->
            concat(
                pathEnd(
                    () ->
                        concat(
                            post(
                                () ->
                                    authorized(
                                        caller,
                                        Role.ADMIN,
                                        p -> withBody(DrillBody.class, this::start))),
                            get(() -> authorized(caller, Role.VIEWER, p -> list())))),
                path(
                    PathMatchers.segment(),
                    id -> get(() -> authorized(caller, Role.VIEWER, p -> read(id))))));
  }

  private Route start(DrillBody body) {
    CompletionStage<DrillReport> started =
        drills.start(body.type(), body.node()).exceptionally(DrillRoutes::refused);
    return onSuccess(
        started,
        report ->
            respondWithHeader(
                Location.create("/api/v1/drills/" + report.id()),
                () -> json(StatusCodes.ACCEPTED, new Started(report.id(), report.status()))));
  }

  private Route read(String id) {
    if (!ID.matcher(id).matches()) {
      throw badRequest("'" + id + "' is not a drill id (the id that POST /api/v1/drills answered)");
    }
    return onSuccess(
        drills.get(id),
        report ->
            json(
                StatusCodes.OK,
                report.orElseThrow(
                    () -> new ApiException(Problem.notFound("there is no drill " + id)))));
  }

  private Route list() {
    return parameterOptional(
        "limit",
        limitText ->
            onSuccess(
                drills.recent(limit(limitText, DEFAULT_LIMIT, MAX_LIMIT)),
                reports -> json(StatusCodes.OK, new Page(reports))));
  }

  private static DrillReport refused(Throwable failure) {
    if (ErrorMapping.unwrap(failure) instanceof DrillRefused refused) {
      throw new ApiException(
          switch (refused.kind()) {
            case INVALID -> Problem.badRequest(refused.getMessage());
            case CONFLICT -> Problem.conflict(refused.getMessage());
            case UNAVAILABLE -> Problem.unavailable(refused.getMessage());
          });
    }
    throw failure instanceof CompletionException c ? c : new CompletionException(failure);
  }
}
