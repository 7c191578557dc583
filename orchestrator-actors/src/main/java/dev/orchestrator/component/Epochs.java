package dev.orchestrator.component;

import akka.actor.typed.ActorSystem;
import dev.orchestrator.lease.FencingEpoch;

/**
 * The fencing epoch that every command to a component carries ({@code data.epoch}): the latest
 * epoch of the cluster singleton's lease that this node knows (the one it holds, or the latest it
 * read from the {@code leases} table), or, after this node was paused and until the cluster
 * confirms it, the one it knew before (see {@link FencingEpoch}). 0 where no singleton lease is
 * used (dev mode).
 */
public final class Epochs {
  private Epochs() {}

  /** The epoch this node's commands carry. */
  public static long current(ActorSystem<?> system) {
    return FencingEpoch.get(system.classicSystem()).current();
  }

  /** The newest epoch this node knows, which a command must not be older than. */
  public static long newest(ActorSystem<?> system) {
    return FencingEpoch.get(system.classicSystem()).newest();
  }
}
