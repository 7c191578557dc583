package dev.orchestrator.component;

import akka.actor.typed.ActorSystem;

/**
 * The fencing epoch that every command to a component carries ({@code data.epoch}). The one place
 * that decides it: a constant 0 until the lease brings a real epoch.
 */
public final class Epochs {
  private Epochs() {}

  public static long current(ActorSystem<?> system) {
    return 0L;
  }
}
