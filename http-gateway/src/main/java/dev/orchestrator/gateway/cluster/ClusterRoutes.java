package dev.orchestrator.gateway.cluster;

import akka.cluster.Member;
import akka.cluster.typed.Cluster;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import dev.orchestrator.Bootstrap;
import dev.orchestrator.component.Epochs;
import dev.orchestrator.gateway.ApiRoutes;
import dev.orchestrator.gateway.ErrorMapping;
import dev.orchestrator.gateway.GatewaySettings;
import dev.orchestrator.gateway.Json;
import dev.orchestrator.gateway.SingletonAsk;
import dev.orchestrator.gateway.auth.Caller;
import dev.orchestrator.gateway.auth.Role;
import dev.orchestrator.singleton.Orchestrator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.stream.StreamSupport;

/**
 * {@code GET /api/v1/cluster}: members, leader, where the singleton runs, and the fencing epoch
 * this node's commands carry ({@code epoch}; older than the newest while the node is suspect after
 * a pause, see {@code FencingEpoch}).
 */
public final class ClusterRoutes extends ApiRoutes {
  private final Bootstrap.Services services;
  private final SingletonAsk singleton;

  public record MemberView(String address, List<String> roles, String status) {}

  public record SingletonView(String address) {}

  public record ClusterView(
      String self, List<MemberView> members, String leader, SingletonView singleton, long epoch) {}

  public ClusterRoutes(
      Bootstrap.Services services, GatewaySettings settings, Json json, ErrorMapping errors) {
    super(json, errors);
    this.services = services;
    this.singleton =
        new SingletonAsk(services.system(), services.orchestrator(), settings.askTimeout());
  }

  @Override
  public Route route(Caller caller) {
    return path(
        "cluster",
        () ->
            get(
                () ->
                    authorized(
                        caller,
                        Role.VIEWER,
                        p -> onSuccess(view(), view -> json(StatusCodes.OK, view)))));
  }

  private CompletionStage<ClusterView> view() {
    Cluster cluster = Cluster.get(services.system());
    List<MemberView> members =
        StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
            .map(ClusterRoutes::member)
            .toList();
    String leader =
        cluster.state().getLeader() == null ? null : cluster.state().getLeader().toString();
    String self = cluster.selfMember().address().toString();
    return singleton
        .<Orchestrator.Location>ask(Orchestrator.WhereAreYou::new)
        .thenApply(location -> new SingletonView(location.address()))
        .exceptionally(timeout -> new SingletonView(null))
        .thenApply(
            singleton ->
                new ClusterView(
                    self, members, leader, singleton, Epochs.current(services.system())));
  }

  private static MemberView member(Member member) {
    List<String> roles =
        member.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList();
    return new MemberView(member.address().toString(), roles, member.status().toString());
  }
}
