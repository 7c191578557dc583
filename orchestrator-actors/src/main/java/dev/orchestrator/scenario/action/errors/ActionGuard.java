package dev.orchestrator.scenario.action.errors;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.orchestrator.scenario.action.ActionRegistry;
import dev.orchestrator.scenario.action.ActionSettings;
import dev.orchestrator.scenario.action.errors.ActionErrorsEntity.Check;
import dev.orchestrator.scenario.action.errors.ActionErrorsEntity.Record;
import dev.orchestrator.scenario.action.errors.ActionErrorsEntity.Skip;
import dev.orchestrator.scenario.action.errors.ActionErrorsEntity.Verdict;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a scenario run asks before an action and tells after it: whether actions of a type are
 * skipped after repeated errors ({@link ActionErrorsEntity}), and how an action ended. When the
 * counters cannot be reached in time the action is allowed: they guard against hammering a broken
 * service, and must not stop scenarios themselves.
 */
public final class ActionGuard implements ActionRegistry.Guard {
  private static final Logger log = LoggerFactory.getLogger(ActionGuard.class);

  private final ClusterSharding sharding;
  private final ActionSettings settings;

  public ActionGuard(ActorSystem<?> system) {
    this.sharding = ClusterSharding.get(system);
    this.settings = ActionSettings.of(system);
  }

  /** Why actions of {@code type} are skipped now; empty when one may run. */
  @Override
  public CompletionStage<Optional<String>> skipReason(String type) {
    if (!settings.errorCountersOn()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return sharding
        .entityRefFor(ActionErrorsEntity.ENTITY_TYPE_KEY, type)
        .<Verdict>ask(Check::new, settings.askTimeout())
        .handle(
            (verdict, failure) -> {
              if (failure != null) {
                log.warn(
                    "Error counter of {} actions did not answer ({}); the action is allowed",
                    type,
                    failure.toString());
                return Optional.empty();
              }
              return verdict instanceof Skip skip ? Optional.of(skip.reason()) : Optional.empty();
            });
  }

  /** Counts how an action of {@code type} ended; {@code error} says why it failed. */
  @Override
  public void record(String type, boolean success, String error) {
    if (settings.errorCountersOn()) {
      sharding
          .entityRefFor(ActionErrorsEntity.ENTITY_TYPE_KEY, type)
          .tell(new Record(success, error));
    }
  }
}
