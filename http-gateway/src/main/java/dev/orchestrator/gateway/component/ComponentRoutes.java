package dev.orchestrator.gateway.component;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import dev.orchestrator.Bootstrap;
import dev.orchestrator.component.ComponentEntity;
import dev.orchestrator.component.Epochs;
import dev.orchestrator.gateway.ApiRoutes;
import dev.orchestrator.gateway.EntityAsker;
import dev.orchestrator.gateway.ErrorMapping;
import dev.orchestrator.gateway.GatewaySettings;
import dev.orchestrator.gateway.Json;
import dev.orchestrator.gateway.Problem;
import dev.orchestrator.gateway.auth.Caller;
import dev.orchestrator.gateway.auth.Role;
import dev.orchestrator.lifecycle.ComponentTopology;
import dev.orchestrator.protocol.Durations;
import dev.orchestrator.protocol.Ids;
import dev.orchestrator.protocol.component.ComponentCommand;
import dev.orchestrator.protocol.component.ComponentHistory;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.DependencyGraph;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
import dev.orchestrator.protocol.component.SimulatedFault;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;

/**
 * {@code /api/v1/components}: register, read, list and deregister components (admin for
 * definitions), send lifecycle commands and inject simulated faults (operator), read their history.
 */
public final class ComponentRoutes extends ApiRoutes {
  private static final int DEFAULT_LIMIT = 100;
  private static final int MAX_LIMIT = 1000;

  private final Bootstrap.Services services;
  private final Duration askTimeout;
  private final EntityAsker<ComponentCommand> entities;
  private final ComponentTopology topology;

  public ComponentRoutes(
      Bootstrap.Services services, GatewaySettings settings, Json json, ErrorMapping errors) {
    super(json, errors);
    this.services = services;
    this.askTimeout = settings.askTimeout();
    this.entities =
        new EntityAsker<>(services.sharding(), ComponentEntity.ENTITY_TYPE_KEY, askTimeout);
    this.topology =
        new ComponentTopology(services.database().dataSource(), services.blockingExecutor());
  }

  @Override
  public Route route(Caller caller) {
    return pathPrefix(
        "components",
        () ->
            concat(
                pathEnd(() -> get(() -> authorized(caller, Role.VIEWER, p -> list()))),
                pathPrefix(
                    PathMatchers.segment(),
                    id ->
                        concat(
                            pathEnd(
                                () ->
                                    concat(
                                        get(() -> authorized(caller, Role.VIEWER, p -> read(id))),
                                        put(
                                            () ->
                                                authorized(
                                                    caller,
                                                    Role.ADMIN,
                                                    p ->
                                                        withBody(
                                                            ComponentRequest.class,
                                                            body -> register(id, body)))),
                                        delete(
                                            () ->
                                                authorized(
                                                    caller, Role.ADMIN, p -> deregister(id))))),
                            path(
                                "lifecycle",
                                () ->
                                    post(
                                        () ->
                                            authorized(
                                                caller,
                                                Role.OPERATOR,
                                                p ->
                                                    withBody(
                                                        LifecycleRequest.class,
                                                        body -> lifecycle(id, body))))),
                            path(
                                "simulate",
                                () ->
                                    post(
                                        () ->
                                            authorized(
                                                caller,
                                                Role.OPERATOR,
                                                p ->
                                                    withBody(
                                                        SimulateRequest.class,
                                                        body -> simulate(id, body))))),
                            path(
                                "history",
                                () ->
                                    get(
                                        () ->
                                            authorized(caller, Role.VIEWER, p -> history(id))))))));
  }

  private Route list() {
    return parameterOptional(
        "group",
        group ->
            parameterOptional(
                "state",
                state ->
                    parameterOptional(
                        "after",
                        after ->
                            parameterOptional(
                                "limit",
                                limitText -> {
                                  group.ifPresent(g -> checkId("group", g));
                                  int limit = limit(limitText, DEFAULT_LIMIT, MAX_LIMIT);
                                  CompletionStage<ComponentResponse.Page> page =
                                      services
                                          .components()
                                          .list(
                                              group.orElse(null),
                                              state.map(ComponentRoutes::state).orElse(null),
                                              after.orElse(null),
                                              limit)
                                          .thenApply(views -> page(views, limit));
                                  return onSuccess(page, p -> json(StatusCodes.OK, p));
                                }))));
  }

  private Route read(String id) {
    checkId("component id", id);
    return onSuccess(
        entities.<ComponentView>ask(
            id, ComponentCommand.Get::new, message -> Problem.notFound(message)),
        view -> json(StatusCodes.OK, ComponentResponse.of(view)));
  }

  private Route register(String id, ComponentRequest body) {
    checkId("component id", id);
    ComponentSpec spec = spec(body);
    List<String> problems = spec.problems(id);
    if (!problems.isEmpty()) {
      throw badRequest(String.join("; ", problems));
    }
    CompletionStage<Void> acyclic =
        spec.dependsOn().isEmpty()
            ? CompletableFuture.completedFuture(null)
            : topology
                .reachableFrom(spec.dependsOn())
                .thenAccept(components -> refuseCycle(id, spec, components));
    return onSuccess(
        acyclic.thenCompose(
            ok ->
                entities.<ComponentView>ask(
                    id,
                    replyTo -> new ComponentCommand.Register(spec, replyTo),
                    message -> Problem.badRequest(message))),
        view -> json(StatusCodes.OK, ComponentResponse.of(view)));
  }

  /**
   * A registration whose {@code dependsOn} closes a cycle is refused, naming it: no order could
   * start those components. Checked against the read side (see docs/decisions.md).
   */
  private static void refuseCycle(
      String id, ComponentSpec spec, Map<String, ComponentTopology.Node> components) {
    Map<String, List<String>> deps = new HashMap<>();
    components.forEach((other, node) -> deps.put(other, node.dependsOn()));
    DependencyGraph.of(deps)
        .with(id, spec.dependsOn())
        .cycleThrough(id)
        .ifPresent(
            cycle -> {
              throw badRequest(
                  "dependsOn would close a dependency cycle: "
                      + DependencyGraph.describe(cycle)
                      + "; no start-up order exists for these components, remove one of these"
                      + " dependencies");
            });
  }

  private Route deregister(String id) {
    checkId("component id", id);
    return onSuccess(
        entities.<akka.Done>ask(
            id, ComponentCommand.Deregister::new, message -> Problem.notFound(message)),
        done -> complete(StatusCodes.NO_CONTENT));
  }

  private Route lifecycle(String id, LifecycleRequest body) {
    checkId("component id", id);
    LifecycleCommand command = lifecycleCommand(body.command());
    return onSuccess(
        entities.<ComponentView>ask(
            id,
            replyTo ->
                new ComponentCommand.Lifecycle(command, Epochs.current(services.system()), replyTo),
            message ->
                isNotRegistered(message) ? Problem.notFound(message) : Problem.conflict(message)),
        view -> json(StatusCodes.ACCEPTED, ComponentResponse.of(view)));
  }

  private Route simulate(String id, SimulateRequest body) {
    checkId("component id", id);
    SimulatedFault fault = fault(body.fault());
    return onSuccess(
        entities.<ComponentView>ask(
            id,
            replyTo -> new ComponentCommand.Simulate(fault, replyTo),
            message ->
                isNotRegistered(message) ? Problem.notFound(message) : Problem.badRequest(message)),
        view -> json(StatusCodes.OK, ComponentResponse.of(view)));
  }

  private Route history(String id) {
    checkId("component id", id);
    return onSuccess(
        entities.<ComponentHistory>ask(
            id, ComponentCommand.GetHistory::new, message -> Problem.notFound(message)),
        history -> json(StatusCodes.OK, HistoryResponse.of(history)));
  }

  /** The entity's refusal of a component it does not know. */
  private static boolean isNotRegistered(String message) {
    return message.endsWith("is not registered");
  }

  private static LifecycleCommand lifecycleCommand(String text) {
    String valid =
        Arrays.stream(LifecycleCommand.values()).map(Enum::name).collect(Collectors.joining(", "));
    if (text == null) {
      throw badRequest("command is required: one of " + valid);
    }
    try {
      return LifecycleCommand.valueOf(text);
    } catch (IllegalArgumentException e) {
      throw badRequest("command '" + text + "' is unknown; use one of " + valid);
    }
  }

  private static SimulatedFault fault(String text) {
    if (text == null) {
      throw badRequest("fault is required: one of " + SimulatedFault.wireNames());
    }
    return SimulatedFault.fromWire(text)
        .orElseThrow(
            () ->
                badRequest(
                    "fault '" + text + "' is unknown; use one of " + SimulatedFault.wireNames()));
  }

  private static ComponentSpec spec(ComponentRequest body) {
    Duration pollInterval;
    try {
      pollInterval = body.pollInterval() == null ? null : Durations.parse(body.pollInterval());
    } catch (IllegalArgumentException e) {
      throw badRequest("pollInterval: " + e.getMessage());
    }
    return new ComponentSpec(
        body.driver(), body.endpoint(), body.groups(), body.dependsOn(), pollInterval);
  }

  private static ComponentResponse.Page page(List<ComponentView> views, int limit) {
    List<ComponentResponse> items = views.stream().map(ComponentResponse::of).toList();
    String next = items.size() == limit ? items.get(items.size() - 1).id() : null;
    return new ComponentResponse.Page(items, next);
  }

  private static FsmState state(String text) {
    try {
      return FsmState.valueOf(text);
    } catch (IllegalArgumentException e) {
      throw badRequest(
          "state '"
              + text
              + "' is unknown; use one of "
              + Arrays.stream(FsmState.values()).map(Enum::name).collect(Collectors.joining(", ")));
    }
  }

  private static void checkId(String what, String id) {
    String problem = Ids.problem(what, id);
    if (problem != null) {
      throw badRequest(problem);
    }
  }
}
