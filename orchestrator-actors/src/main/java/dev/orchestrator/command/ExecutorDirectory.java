package dev.orchestrator.command;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import dev.orchestrator.command.CommandInternal.ExecutorMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.StreamSupport;

/**
 * Which command executors are up, by the roles of their nodes: a node-local view of the
 * receptionist's listing, read synchronously by the command entities of this node. The executor of
 * this node is preferred when its roles fit; otherwise one on a node with the role, at random.
 */
public final class ExecutorDirectory implements Extension {
  public static final ServiceKey<ExecutorMessage> KEY =
      ServiceKey.create(ExecutorMessage.class, "command-executor");

  private final ActorSystem<?> system;
  private volatile Set<ActorRef<ExecutorMessage>> executors = Set.of();
  private volatile ActorRef<ExecutorMessage> local;

  private ExecutorDirectory(ActorSystem<?> system) {
    this.system = system;
  }

  public static ExecutorDirectory get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /**
   * Knows this node's executor at once (the receptionist's listing arrives a moment later) and
   * starts following the receptionist; called once per node by the bootstrap.
   */
  public void start(ActorRef<ExecutorMessage> localExecutor) {
    this.local = localExecutor;
    system.systemActorOf(follower(), "command-executor-directory", akka.actor.typed.Props.empty());
  }

  private Behavior<Receptionist.Listing> follower() {
    return Behaviors.setup(
        context -> {
          context.getSystem().receptionist().tell(Receptionist.subscribe(KEY, context.getSelf()));
          return Behaviors.receiveMessage(
              listing -> {
                executors = Set.copyOf(listing.getServiceInstances(KEY));
                return Behaviors.same();
              });
        });
  }

  /** An executor on an Up node with {@code role}, preferring this node's. */
  public Optional<ActorRef<ExecutorMessage>> pick(String role) {
    Cluster cluster = Cluster.get(system);
    if (local != null
        && cluster.selfMember().hasRole(role)
        && cluster.selfMember().status() == MemberStatus.up()) {
      return Optional.of(local);
    }
    List<ActorRef<ExecutorMessage>> remote = new ArrayList<>();
    for (ActorRef<ExecutorMessage> executor : executors) {
      akka.actor.Address address = executor.path().address();
      if (!address.hasGlobalScope() || address.equals(cluster.selfMember().address())) {
        continue; // this node's own executor, handled above
      }
      StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
          .filter(m -> m.address().equals(address))
          .filter(m -> m.hasRole(role) && m.status() == MemberStatus.up())
          .findFirst()
          .ifPresent(m -> remote.add(executor));
    }
    if (remote.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(remote.get(ThreadLocalRandom.current().nextInt(remote.size())));
  }

  /**
   * The executor of the node {@code node} (an address as AttemptStarted records it) while that node
   * is a member that is not down: from the receptionist's listing, or resolved by its path when the
   * listing has not caught up yet.
   */
  public Optional<ActorRef<ExecutorMessage>> at(String node) {
    Cluster cluster = Cluster.get(system);
    if (local != null
        && (node.equals(cluster.selfMember().address().toString())
            || node.equals(system.address().toString()))) {
      return Optional.of(local);
    }
    boolean alive =
        StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
            .anyMatch(m -> m.address().toString().equals(node) && ALIVE.contains(m.status()));
    if (!alive) {
      return Optional.empty();
    }
    for (ActorRef<ExecutorMessage> executor : executors) {
      if (executor.path().address().toString().equals(node)) {
        return Optional.of(executor);
      }
    }
    if (local == null) {
      return Optional.empty();
    }
    return Optional.of(
        ActorRefResolver.get(system).resolveActorRef(node + local.path().toStringWithoutAddress()));
  }

  private static final Set<MemberStatus> ALIVE =
      Set.of(
          MemberStatus.joining(),
          MemberStatus.weaklyUp(),
          MemberStatus.up(),
          MemberStatus.leaving(),
          MemberStatus.exiting());

  static final class Id extends ExtensionId<ExecutorDirectory> {
    static final Id INSTANCE = new Id();

    @Override
    public ExecutorDirectory createExtension(ActorSystem<?> system) {
      return new ExecutorDirectory(system);
    }
  }
}
