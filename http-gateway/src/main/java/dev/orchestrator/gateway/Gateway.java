package dev.orchestrator.gateway;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Complete;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.server.RouteResult;
import dev.orchestrator.Bootstrap;
import dev.orchestrator.component.driver.http.ReplyRouter;
import dev.orchestrator.gateway.audit.AuditRoutes;
import dev.orchestrator.gateway.audit.AuditTrail;
import dev.orchestrator.gateway.auth.Caller;
import dev.orchestrator.gateway.auth.TokenRoutes;
import dev.orchestrator.gateway.auth.TokenStore;
import dev.orchestrator.gateway.cluster.ClusterRoutes;
import dev.orchestrator.gateway.command.CommandRoutes;
import dev.orchestrator.gateway.component.AvenaEventRoutes;
import dev.orchestrator.gateway.component.ComponentRoutes;
import dev.orchestrator.gateway.drill.DrillRoutes;
import dev.orchestrator.gateway.events.EventStreamRoutes;
import dev.orchestrator.gateway.health.HealthRoutes;
import dev.orchestrator.gateway.lifecycle.LifecycleRoutes;
import dev.orchestrator.gateway.scenario.IngestRoutes;
import dev.orchestrator.gateway.scenario.RunRoutes;
import dev.orchestrator.gateway.scenario.ScenarioRoutes;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP gateway: health without a token, components' avena events on {@code POST /event} without
 * a token (avena components send none), the API under {@code /api/v1} behind bearer tokens, every
 * mutating request written to the audit trail before it is answered, every error as problem+json.
 */
public final class Gateway extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(Gateway.class);
  private static final Set<HttpMethod> MUTATING =
      Set.of(HttpMethods.POST, HttpMethods.PUT, HttpMethods.DELETE, HttpMethods.PATCH);
  private static final String BEARER = "Bearer ";
  private static final int ROUTES_CACHE_LIMIT = 1_000;

  private final TokenStore tokens;
  private final AuditTrail audit;
  private final ErrorMapping errors;
  private final HealthRoutes health;
  private final AvenaEventRoutes componentEvents;
  private final List<ApiRoutes> api;
  private final ConcurrentHashMap<Caller, Route> apiRoutesByCaller = new ConcurrentHashMap<>();

  public Gateway(
      Bootstrap.Services services, GatewaySettings settings, TokenStore tokens, AuditTrail audit) {
    Json json = new Json(services.system());
    this.tokens = tokens;
    this.audit = audit;
    this.errors = new ErrorMapping(json);
    this.health = new HealthRoutes(services, json, errors);
    this.componentEvents = new AvenaEventRoutes(ReplyRouter.get(services.system()), json);
    this.api =
        List.of(
            new ComponentRoutes(services, settings, json, errors),
            new CommandRoutes(services, settings, json, errors),
            new ClusterRoutes(services, settings, json, errors),
            new TokenRoutes(tokens, json, errors),
            new AuditRoutes(audit, json, errors),
            new EventStreamRoutes(services, json, errors),
            new LifecycleRoutes(services, settings, json, errors),
            new ScenarioRoutes(services, settings, json, errors),
            new RunRoutes(services, settings, json, errors),
            new IngestRoutes(services, settings, json, errors),
            new DrillRoutes(services, json, errors));
  }

  /** Binds the gateway; it is unbound by coordinated shutdown, after in-flight requests. */
  public static CompletionStage<ServerBinding> bind(
      ActorSystem<?> system, GatewaySettings settings, Gateway gateway) {
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .bind(gateway.route())
        .thenApply(binding -> binding.addToCoordinatedShutdown(Duration.ofSeconds(5), system))
        .whenComplete(
            (binding, failure) -> {
              if (failure == null) {
                log.info("HTTP gateway listening on {}", binding.localAddress());
              }
            });
  }

  /**
   * The gateway's route. Built once: Akka HTTP evaluates a directive's inner route for every
   * request that reaches it, so whatever is built inside a directive is built per request.
   */
  public Route route() {
    Route all =
        concat(
            health.route(),
            componentEvents.route(),
            pathPrefix(
                PathMatchers.segment("api").slash("v1"),
                () -> withCaller(caller -> audited(caller, () -> apiRoutes(caller)))));
    return sealed(all);
  }

  /**
   * The API's routes for this caller, built once per distinct caller (a token's principal, or one
   * of the few reasons for being anonymous) and reused instead of being built for every request. A
   * caller's role is part of the key, so each tree checks the role of the caller it was built for.
   */
  private Route apiRoutes(Caller caller) {
    Route cached = apiRoutesByCaller.get(caller);
    if (cached != null) {
      return cached;
    }
    if (apiRoutesByCaller.size() >= ROUTES_CACHE_LIMIT) {
      apiRoutesByCaller.clear();
    }
    return apiRoutesByCaller.computeIfAbsent(caller, this::buildApiRoutes);
  }

  private Route buildApiRoutes(Caller caller) {
    Route[] routes = api.stream().map(r -> r.route(caller)).toArray(Route[]::new);
    return sealed(concat(routes[0], java.util.Arrays.copyOfRange(routes, 1, routes.length)));
  }

  private Route sealed(Route inner) {
    return handleExceptions(
        errors.exceptionHandler(), () -> handleRejections(errors.rejectionHandler(), () -> inner));
  }

  private Route withCaller(Function<Caller, Route> inner) {
    return optionalHeaderValueByName(
        "Authorization",
        header -> {
          if (header.isEmpty()) {
            return inner.apply(Caller.anonymous("send the header 'Authorization: Bearer <token>'"));
          }
          if (!header.get().startsWith(BEARER)) {
            return inner.apply(
                Caller.anonymous("the Authorization header must be 'Bearer <token>'"));
          }
          String token = header.get().substring(BEARER.length()).trim();
          return onSuccess(
              tokens.authenticate(token),
              principal ->
                  inner.apply(
                      principal
                          .map(Caller::of)
                          .orElseGet(
                              () -> Caller.anonymous("the token is unknown, expired or revoked"))));
        });
  }

  private Route audited(Caller caller, Supplier<Route> inner) {
    return extractRequest(
        request -> {
          if (!MUTATING.contains(request.method())) {
            return inner.get();
          }
          return mapRouteResultWith(result -> record(caller, request, result), inner);
        });
  }

  private CompletionStage<RouteResult> record(
      Caller caller, HttpRequest request, RouteResult result) {
    int status =
        result instanceof Complete complete ? complete.getResponse().status().intValue() : 500;
    return audit
        .record(
            caller.actor(),
            caller.role(),
            request.method().name(),
            request.getUri().path(),
            status,
            null)
        .handle(
            (ok, failure) -> {
              if (failure != null) {
                log.error(
                    "Could not write the audit entry for {} {}",
                    request.method().name(),
                    request.getUri().path(),
                    failure);
              }
              return result;
            });
  }
}
