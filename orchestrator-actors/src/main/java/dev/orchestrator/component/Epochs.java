package dev.orchestrator.component;

import akka.actor.typed.ActorSystem;
import dev.orchestrator.lease.FencingEpoch;

/**
 * The fencing epoch that every command to a component carries ({@code data.epoch}): the latest
 * epoch of the cluster singleton's lease that this node knows (the one it holds, or the latest it
 * read from the {@code leases} table). 0 where no singleton lease is used (dev mode).
 */
public final class Epochs {
  private Epochs() {}

  public static long current(ActorSystem<?> system) {
    return FencingEpoch.get(system.classicSystem()).current();
  }
}
