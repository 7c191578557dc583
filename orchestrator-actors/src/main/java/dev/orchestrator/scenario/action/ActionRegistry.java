package dev.orchestrator.scenario.action;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The executors a node runs scenario actions with, by action type, and the guard that skips a type
 * after repeated errors. {@code log_event} is not here: the run entity writes it to its journal.
 */
public final class ActionRegistry {

  /** Decides whether an action type is switched off, and hears how each attempt went. */
  public interface Guard {
    /** A reason to skip actions of {@code type} now; empty to run them. */
    CompletionStage<Optional<String>> skipReason(String type);

    /** How an attempt of an action of {@code type} ended. */
    void record(String type, boolean success, String error);

    Guard NONE =
        new Guard() {
          @Override
          public CompletionStage<Optional<String>> skipReason(String type) {
            return CompletableFuture.completedFuture(Optional.empty());
          }

          @Override
          public void record(String type, boolean success, String error) {}
        };
  }

  private final Map<String, ActionExecutor> executors;
  private final Guard guard;

  public ActionRegistry(Map<String, ActionExecutor> executors, Guard guard) {
    this.executors = Map.copyOf(new HashMap<>(executors));
    this.guard = guard;
  }

  /** The executor of {@code type}; empty when this node has none. */
  public Optional<ActionExecutor> executor(String type) {
    return Optional.ofNullable(executors.get(type));
  }

  public Guard guard() {
    return guard;
  }
}
