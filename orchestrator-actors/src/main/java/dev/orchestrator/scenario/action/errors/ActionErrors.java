package dev.orchestrator.scenario.action.errors;

import akka.actor.typed.ActorSystem;

/** Starts the per-action-type error counters on a node and hands out their facade. */
public final class ActionErrors {
  private ActionErrors() {}

  /** Registers {@link ActionErrorsEntity} with sharding; returns the guard that uses it. */
  public static ActionGuard init(ActorSystem<?> system) {
    ActionErrorsEntity.init(system);
    return new ActionGuard(system);
  }
}
