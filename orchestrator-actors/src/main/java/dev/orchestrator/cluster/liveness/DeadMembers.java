package dev.orchestrator.cluster.liveness;

import akka.actor.ActorRefProvider;
import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Adapter;
import akka.cluster.UniqueAddress;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import akka.remote.RemoteActorRefProvider;
import scala.Option;

/**
 * Downs a member whose process is proven dead and quarantines its incarnation (address and uid), so
 * that the leader removes it at once.
 *
 * <p>Akka's leader removes a Down member only once it is also unreachable or terminated; a dead
 * member never acknowledges its Down, so without more its removal waits for the failure detector
 * (acceptable-heartbeat-pause and then some: about 3 s here). Quarantining the incarnation in
 * Artery publishes a {@code QuarantinedEvent}, on which the cluster marks it TERMINATED in its
 * reachability table, and a Down, terminated member is removed at the next leader action. The
 * quarantine is irreversible for that uid only: a restarted process (new uid, same address) joins
 * as usual. Akka offers no public API for it: this uses {@code RemoteActorRefProvider.quarantine}
 * (Akka 2.8, docs/decisions.md). Quarantining a live member would do what downing it already does
 * (it shuts down and is restarted by its supervisor), so it adds no new risk to a proof of death.
 */
final class DeadMembers {
  private DeadMembers() {}

  /** Downs {@code member} and quarantines its incarnation; {@code reason} goes to Akka's log. */
  static void downAndQuarantine(ActorSystem<?> system, UniqueAddress member, String reason) {
    Cluster.get(system).manager().tell(new Down(member.address()));
    ActorRefProvider provider = ((ExtendedActorSystem) Adapter.toClassic(system)).provider();
    if (provider instanceof RemoteActorRefProvider remote) {
      remote.quarantine(member.address(), Option.apply((Object) member.longUid()), reason);
    }
  }
}
