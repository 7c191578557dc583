package dev.orchestrator.drill;

import akka.actor.Address;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.pattern.StatusReply;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import dev.orchestrator.singleton.Orchestrator;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.stream.StreamSupport;
import javax.sql.DataSource;

/**
 * Starts drills and reads their reports (what the gateway calls). A drill is checked against the
 * cluster as this node sees it, stored RUNNING (one at most in the cluster), then handed to the
 * drill agent of its coordinating node: this one, or another when this node is the target.
 */
public final class Drills {
  private final ActorSystem<?> system;
  private final DrillSettings settings;
  private final DrillRepository repository;
  private final ActorRef<Orchestrator.Command> singleton;

  /** Starts the drill agent of this node; {@code singleton} is the orchestrator's proxy. */
  public static Drills init(
      ActorSystem<?> system,
      DataSource dataSource,
      Executor blocking,
      ActorRef<Orchestrator.Command> singleton) {
    DrillSettings settings = DrillSettings.of(system);
    DrillRepository repository =
        new DrillRepository(
            dataSource,
            blocking,
            JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty()));
    system.systemActorOf(
        DrillAgent.create(settings, repository, singleton), "drill-agent", Props.empty());
    return new Drills(system, settings, repository, singleton);
  }

  private Drills(
      ActorSystem<?> system,
      DrillSettings settings,
      DrillRepository repository,
      ActorRef<Orchestrator.Command> singleton) {
    this.system = system;
    this.settings = settings;
    this.repository = repository;
    this.singleton = singleton;
  }

  /**
   * Starts a drill of {@code typeText} against {@code node} (a member address; null for the
   * singleton's node). Fails with {@link DrillRefused} when it cannot run, storing nothing.
   */
  public CompletionStage<DrillReport> start(String typeText, String node) {
    try {
      return begin(typeText, node);
    } catch (DrillRefused refused) {
      return CompletableFuture.failedFuture(refused);
    }
  }

  private CompletionStage<DrillReport> begin(String typeText, String node) {
    DrillType type =
        DrillType.fromWire(typeText)
            .orElseThrow(
                () ->
                    new DrillRefused(
                        DrillRefused.Kind.INVALID,
                        typeText == null
                            ? "type is required: " + DrillType.names()
                            : "type '" + typeText + "' is unknown; use " + DrillType.names()));
    List<Member> members =
        StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
            .toList();
    if (node != null && members.stream().noneMatch(m -> m.address().toString().equals(node))) {
      throw new DrillRefused(
          DrillRefused.Kind.INVALID,
          "node '"
              + node
              + "' is not a member of the cluster; members (as GET /api/v1/cluster shows them): "
              + addresses(members));
    }
    return repository
        .running(settings.abandonedAfter())
        .thenCompose(
            running -> {
              running.ifPresent(
                  r -> {
                    throw anotherRuns(r);
                  });
              return checked(type, node, members);
            });
  }

  /** The checks against the cluster's state, then the start. */
  private CompletionStage<DrillReport> checked(DrillType type, String node, List<Member> members) {
    if (node != null) {
      Member named =
          members.stream()
              .filter(m -> m.address().toString().equals(node))
              .findFirst()
              .orElseThrow();
      if (named.status() != MemberStatus.up()) {
        throw new DrillRefused(
            DrillRefused.Kind.CONFLICT,
            "node " + node + " is " + named.status() + ", not Up; a drill targets an Up member");
      }
    }
    List<Member> up = members.stream().filter(m -> m.status() == MemberStatus.up()).toList();
    if (up.size() < 2) {
      throw new DrillRefused(
          DrillRefused.Kind.CONFLICT,
          "this cluster has "
              + up.size()
              + " Up node; a drill takes a node away and needs another to take over (dev mode"
              + " runs one node: start two or more nodes with ORCH_MODE=cluster)");
    }
    return where()
        .thenCompose(
            singletonAt -> {
              String target = node != null ? node : singletonAt.orElse(null);
              if (target == null) {
                throw new DrillRefused(
                    DrillRefused.Kind.UNAVAILABLE,
                    "the singleton did not answer, so its node is unknown; name the node, or try"
                        + " again once the cluster is stable");
              }
              List<Member> survivors =
                  up.stream().filter(m -> !m.address().toString().equals(target)).toList();
              if (survivors.stream().noneMatch(m -> m.hasRole(Orchestrator.ROLE))) {
                throw new DrillRefused(
                    DrillRefused.Kind.CONFLICT,
                    "without "
                        + target
                        + " no Up node with the '"
                        + Orchestrator.ROLE
                        + "' role would be left to run the singleton; start one first");
              }
              Address coordinator = coordinatorFor(target, survivors);
              return agentOn(coordinator)
                  .thenCompose(
                      agent -> {
                        DrillReport report =
                            DrillReport.starting(
                                UUID.randomUUID().toString(),
                                type,
                                target,
                                coordinator.toString(),
                                singletonAt.orElse(null),
                                Instant.now());
                        return repository
                            .insert(report, settings.abandonedAfter())
                            .exceptionally(Drills::anotherRuns)
                            .thenCompose(stored -> handOver(agent, stored));
                      });
            });
  }

  public CompletionStage<Optional<DrillReport>> get(String id) {
    return repository.get(id);
  }

  public CompletionStage<List<DrillReport>> recent(int limit) {
    return repository.recent(limit);
  }

  /** Where the singleton answers from; empty when it does not answer in time. */
  private CompletionStage<Optional<String>> where() {
    return AskPattern.<Orchestrator.Command, Orchestrator.Location>ask(
            singleton, Orchestrator.WhereAreYou::new, settings.askTimeout(), system.scheduler())
        .handle(
            (location, failure) ->
                failure == null ? Optional.of(location.address()) : Optional.empty());
  }

  /** This node, unless it is the target: then a survivor, gateways first. */
  private Address coordinatorFor(String target, List<Member> survivors) {
    Address self = Cluster.get(system).selfMember().address();
    if (!self.toString().equals(target)) {
      return self;
    }
    return survivors.stream()
        .sorted(Comparator.comparing((Member m) -> !m.hasRole("gateway")))
        .findFirst()
        .orElseThrow()
        .address();
  }

  private CompletionStage<ActorRef<DrillAgent.Command>> agentOn(Address node) {
    Address self = Cluster.get(system).selfMember().address();
    return AskPattern.<Receptionist.Command, Receptionist.Listing>ask(
            system.receptionist(),
            replyTo -> Receptionist.find(DrillAgent.KEY, replyTo),
            settings.askTimeout(),
            system.scheduler())
        .thenApply(
            listing ->
                listing.getServiceInstances(DrillAgent.KEY).stream()
                    .filter(
                        agent -> {
                          Address at = agent.path().address();
                          return (at.hasGlobalScope() ? at : self).equals(node);
                        })
                    .findFirst()
                    .orElseThrow(
                        () ->
                            new DrillRefused(
                                DrillRefused.Kind.UNAVAILABLE,
                                "no drill agent is known on "
                                    + node
                                    + " yet, which would coordinate the drill; try again in a"
                                    + " few seconds")));
  }

  private CompletionStage<DrillReport> handOver(
      ActorRef<DrillAgent.Command> agent, DrillReport stored) {
    return AskPattern.<DrillAgent.Command, StatusReply<DrillAgent.Coordinating>>ask(
            agent,
            replyTo ->
                new DrillAgent.Coordinate(
                    stored.id(),
                    stored.type(),
                    stored.target(),
                    stored.singletonBefore(),
                    stored.startedAt(),
                    replyTo),
            settings.askTimeout(),
            system.scheduler())
        .thenApply(
            reply -> {
              if (reply.isError()) {
                throw new IllegalStateException(reply.getError().getMessage());
              }
              return stored;
            })
        .exceptionallyCompose(
            failure -> {
              String why =
                  "its coordinator on "
                      + stored.coordinator()
                      + " did not start: "
                      + unwrap(failure).getMessage();
              return repository
                  .save(stored.failed(why, Instant.now()))
                  .handle(
                      (ok, ignored) -> {
                        throw new DrillRefused(
                            DrillRefused.Kind.UNAVAILABLE,
                            "drill " + stored.id() + " failed: " + why);
                      });
            });
  }

  private static DrillReport anotherRuns(Throwable failure) {
    if (unwrap(failure) instanceof DrillRepository.AnotherRuns another) {
      throw anotherRuns(another.running());
    }
    throw failure instanceof CompletionException c ? c : new CompletionException(failure);
  }

  private static DrillRefused anotherRuns(DrillReport running) {
    return new DrillRefused(
        DrillRefused.Kind.CONFLICT,
        "drill "
            + running.id()
            + " ("
            + running.type()
            + " of "
            + running.target()
            + ", started "
            + running.startedAt()
            + ") is still running; one drill runs at a time: wait for it to end (GET"
            + " /api/v1/drills/"
            + running.id()
            + ")");
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static List<String> addresses(List<Member> members) {
    return members.stream().map(m -> m.address().toString()).toList();
  }
}
