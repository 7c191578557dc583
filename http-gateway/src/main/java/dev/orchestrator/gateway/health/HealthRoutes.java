package dev.orchestrator.gateway.health;

import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import dev.orchestrator.Bootstrap;
import dev.orchestrator.gateway.ErrorMapping;
import dev.orchestrator.gateway.Json;
import dev.orchestrator.gateway.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code /health/alive} (the process answers) and {@code /health/ready} (the node is an Up member
 * of the cluster and the journal's database answers). No token: for load balancers and supervisors.
 */
public final class HealthRoutes extends AllDirectives {
  private final Bootstrap.Services services;
  private final Json json;
  private final ErrorMapping errors;

  public record Health(String status, String member) {}

  public HealthRoutes(Bootstrap.Services services, Json json, ErrorMapping errors) {
    this.services = services;
    this.json = json;
    this.errors = errors;
  }

  public Route route() {
    return pathPrefix(
        "health",
        () ->
            concat(
                path(
                    "alive",
                    () ->
                        get(
                            () ->
                                complete(
                                    StatusCodes.OK,
                                    new Health("alive", member()),
                                    json.marshaller()))),
                path("ready", () -> get(() -> onSuccess(problems(), this::ready)))));
  }

  private Route ready(List<String> problems) {
    if (problems.isEmpty()) {
      return complete(StatusCodes.OK, new Health("ready", member()), json.marshaller());
    }
    return errors.completeProblem(Problem.unavailable("not ready: " + String.join("; ", problems)));
  }

  private String member() {
    return Cluster.get(services.system()).selfMember().status().toString();
  }

  private CompletionStage<List<String>> problems() {
    MemberStatus status = Cluster.get(services.system()).selfMember().status();
    return CompletableFuture.supplyAsync(services.database()::ping, services.blockingExecutor())
        .thenApply(
            databaseUp -> {
              List<String> problems = new ArrayList<>();
              if (status != MemberStatus.up()) {
                problems.add("this node is " + status + " in the cluster, not Up");
              }
              if (!databaseUp) {
                problems.add("the database does not answer");
              }
              return problems;
            });
  }
}
