package dev.orchestrator.gateway.scenario;

import akka.actor.typed.ActorRef;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.Location;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import akka.pattern.StatusReply;
import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.Bootstrap;
import dev.orchestrator.gateway.ApiRoutes;
import dev.orchestrator.gateway.EntityAsker;
import dev.orchestrator.gateway.ErrorMapping;
import dev.orchestrator.gateway.GatewaySettings;
import dev.orchestrator.gateway.Json;
import dev.orchestrator.gateway.Problem;
import dev.orchestrator.gateway.SingletonAsk;
import dev.orchestrator.gateway.auth.Caller;
import dev.orchestrator.gateway.auth.Principal;
import dev.orchestrator.gateway.auth.Role;
import dev.orchestrator.protocol.Ids;
import dev.orchestrator.protocol.scenario.ScenarioCommand;
import dev.orchestrator.protocol.scenario.ScenarioView;
import dev.orchestrator.protocol.scenario.Trigger;
import dev.orchestrator.scenario.ScenarioKeys;
import dev.orchestrator.singleton.Orchestrator;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * {@code /api/v1/scenarios}: definitions (admin: put, enable, disable), checks without storing
 * (viewer: validate), reads (viewer: list from the read side, one from its entity), and runs
 * (operator: run, acknowledge).
 *
 * <p>{@code POST /scenarios/validate} needs only the viewer role: it stores nothing and changes
 * nothing, and whoever may read the definitions may check a file before handing it to an admin.
 */
public final class ScenarioRoutes extends ApiRoutes {

  /** The body of a manual run; both optional. */
  public record RunBody(JsonNode data, Boolean force) {}

  private final Bootstrap.Services services;
  private final ScenarioText text;
  private final Duration askTimeout;
  private final SingletonAsk singleton;
  private final EntityAsker<ScenarioCommand> entities;

  public ScenarioRoutes(
      Bootstrap.Services services, GatewaySettings settings, Json json, ErrorMapping errors) {
    super(json, errors);
    this.services = services;
    this.text = new ScenarioText(json);
    this.askTimeout = settings.askTimeout();
    this.singleton =
        new SingletonAsk(services.system(), services.orchestrator(), settings.askTimeout());
    this.entities = new EntityAsker<>(services.sharding(), ScenarioKeys.SCENARIO, askTimeout);
  }

  @Override
  public Route route(Caller caller) {
    return pathPrefix(
        "scenarios",
        () ->
            concat(
                pathEnd(() -> get(() -> authorized(caller, Role.VIEWER, p -> list()))),
                path(
                    "validate", () -> post(() -> authorized(caller, Role.VIEWER, p -> validate()))),
                path(
                    PathMatchers.segment(),
                    name ->
                        concat(
                            put(() -> authorized(caller, Role.ADMIN, p -> define(name))),
                            get(() -> authorized(caller, Role.VIEWER, p -> read(name))))),
                action("enable", caller, Role.ADMIN, (name, p) -> setEnabled(name, true)),
                action("disable", caller, Role.ADMIN, (name, p) -> setEnabled(name, false)),
                action("acknowledge", caller, Role.OPERATOR, (name, p) -> acknowledge(name)),
                action("run", caller, Role.OPERATOR, this::run)));
  }

  private Route action(
      String verb, Caller caller, Role needed, BiFunction<String, Principal, Route> inner) {
    return path(
        PathMatchers.segment().slash(verb),
        name -> post(() -> authorized(caller, needed, p -> inner.apply(name, p))));
  }

  private Route define(String name) {
    checkName(name);
    return text.load(
        "api:" + name,
        scenario -> {
          if (!scenario.name().equals(name)) {
            throw badRequest(
                "the body defines scenario '"
                    + scenario.name()
                    + "' but the path names '"
                    + name
                    + "'; they must be the same");
          }
          return onSuccess(
              entities.<ScenarioView>ask(
                  name,
                  replyTo ->
                      new ScenarioCommand.Define(scenario, ScenarioCommand.Source.API, replyTo),
                  Problem::conflict),
              view -> {
                if (view.version() == 1) {
                  return respondWithHeader(
                      Location.create("/api/v1/scenarios/" + name),
                      () -> json(StatusCodes.CREATED, ScenarioResponse.of(view)));
                }
                return json(StatusCodes.OK, ScenarioResponse.of(view));
              });
        });
  }

  private Route validate() {
    return text.load(
        "api:validate",
        scenario -> json(StatusCodes.OK, new ScenarioResponse.Validated(true, scenario)));
  }

  private Route list() {
    return parameterOptional(
        "trigger",
        trigger ->
            parameterOptional(
                "enabled",
                enabled ->
                    onSuccess(
                        services
                            .scenarios()
                            .list(
                                trigger.map(ScenarioRoutes::triggerType).orElse(null),
                                enabled.map(ScenarioRoutes::flag).orElse(null)),
                        views ->
                            json(
                                StatusCodes.OK,
                                new ScenarioResponse.Listing(
                                    views.stream().map(ScenarioResponse::of).toList())))));
  }

  private Route read(String name) {
    checkName(name);
    return onSuccess(
        entities.ask(name, ScenarioCommand.Get::new, m -> unknown(name)),
        view -> json(StatusCodes.OK, ScenarioResponse.of(view)));
  }

  private Route setEnabled(String name, boolean enabled) {
    return change(name, replyTo -> new ScenarioCommand.SetEnabled(enabled, replyTo));
  }

  private Route acknowledge(String name) {
    return change(name, ScenarioCommand.Acknowledge::new);
  }

  /** A change to a defined scenario: 404 when it is not defined, 409 when the entity refuses. */
  private Route change(
      String name, Function<ActorRef<StatusReply<ScenarioView>>, ScenarioCommand> command) {
    checkName(name);
    CompletionStage<ScenarioView> changed =
        entities
            .ask(name, ScenarioCommand.Get::new, m -> unknown(name))
            .thenCompose(known -> entities.ask(name, command, Problem::conflict));
    return onSuccess(changed, view -> json(StatusCodes.OK, ScenarioResponse.of(view)));
  }

  private Route run(String name, Principal principal) {
    checkName(name);
    return entity(
        Unmarshaller.entityToString(),
        body -> {
          RunBody run =
              body == null || body.isBlank()
                  ? new RunBody(null, null)
                  : json.read(body, RunBody.class);
          JsonNode data = run.data() == null || run.data().isNull() ? null : run.data();
          if (data != null && !data.isObject()) {
            throw badRequest(
                "data must be a JSON object (templates read it as trigger.data.x), not "
                    + data.getNodeType().name().toLowerCase(Locale.ROOT));
          }
          boolean force = Boolean.TRUE.equals(run.force());
          // Chosen once: an ask tried again after no answer admits this same run.
          String runId = UUID.randomUUID().toString();
          CompletionStage<ScenarioCommand.Admission> admission =
              refusedAs(
                  singleton.<ScenarioCommand.Admission>askWithStatus(
                      replyTo ->
                          new Orchestrator.RunManually(
                              name, principal.name(), data, force, runId, replyTo)),
                  Problem::conflict);
          return onSuccess(admission, a -> admitted(name, a));
        });
  }

  private Route admitted(String name, ScenarioCommand.Admission admission) {
    if (admission.admitted()) {
      return respondWithHeader(
          Location.create("/api/v1/runs/" + admission.runId()),
          () -> json(StatusCodes.ACCEPTED, new ScenarioResponse.RunAccepted(admission.runId())));
    }
    String code = admission.code() == null ? "refused" : admission.code();
    String reason =
        admission.reason() == null
            ? "scenario '" + name + "' did not admit the run (" + code + ")"
            : admission.reason();
    Problem problem = code.equals("unknown") ? Problem.notFound(reason) : Problem.conflict(reason);
    return complete(ProblemMembers.response(json, problem, Map.of("code", code)));
  }

  private static Problem unknown(String name) {
    return Problem.notFound("no scenario is named '" + name + "'");
  }

  static void checkName(String name) {
    String problem = Ids.problem("scenario name", name);
    if (problem != null) {
      throw badRequest(problem);
    }
  }

  private static String triggerType(String text) {
    if (!Trigger.TYPES.contains(text)) {
      throw badRequest(
          "trigger '" + text + "' is unknown; use one of " + String.join(", ", Trigger.TYPES));
    }
    return text;
  }

  private static Boolean flag(String text) {
    return switch (text) {
      case "true" -> true;
      case "false" -> false;
      default -> throw badRequest("enabled must be true or false, not '" + text + "'");
    };
  }
}
