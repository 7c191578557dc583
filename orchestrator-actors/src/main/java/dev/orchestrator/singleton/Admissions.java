package dev.orchestrator.singleton;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.pattern.StatusReply;
import dev.orchestrator.protocol.scenario.Explanation;
import dev.orchestrator.protocol.scenario.RunTrigger;
import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.protocol.scenario.ScenarioCommand;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Admission;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Mode;
import dev.orchestrator.protocol.scenario.ScenarioView;
import dev.orchestrator.scenario.ScenarioKeys;
import dev.orchestrator.scenario.condition.ConditionEvaluator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks scenarios to start runs, one after another in the order given (priority order), each after
 * its conditions held, while the global limit allows. The scenario entities hold the per-scenario
 * limits.
 */
final class Admissions {
  private static final Logger log = LoggerFactory.getLogger(Admissions.class);

  private final ClusterSharding sharding;
  private final ConditionEvaluator conditions;
  private final GlobalGate gate;
  private final Duration askTimeout;

  Admissions(
      ActorSystem<?> system, ConditionEvaluator conditions, GlobalGate gate, Duration askTimeout) {
    this.sharding = ClusterSharding.get(system);
    this.conditions = conditions;
    this.gate = gate;
    this.askTimeout = askTimeout;
  }

  /** The current definition of {@code name}; null when no scenario has that name. */
  CompletionStage<Scenario> definition(String name) {
    return sharding
        .entityRefFor(ScenarioKeys.SCENARIO, name)
        .<ScenarioView>askWithStatus(ScenarioCommand.Get::new, askTimeout)
        .handle(
            (view, failure) -> {
              if (failure instanceof StatusReply.ErrorMessage) {
                return null;
              }
              if (failure != null) {
                throw new CompletionException(failure);
              }
              return view.definition();
            });
  }

  /** The conditions of {@code scenario} now; "no conditions" when it has none. */
  CompletionStage<Explanation> evaluate(Scenario scenario) {
    if (scenario.conditions() == null) {
      return CompletableFuture.completedFuture(Explanation.none());
    }
    return conditions.evaluate(scenario.conditions(), Instant.now());
  }

  /**
   * For each scenario in order: evaluates its conditions (unless {@code force}), then asks it to
   * admit the run {@code runId} gives it. The answers, one per scenario (a refusal for one the
   * conditions or the global limit held back).
   */
  CompletionStage<List<Admission>> admitInOrder(
      List<Scenario> scenarios,
      Mode mode,
      Function<Scenario, RunTrigger> trigger,
      Function<Scenario, String> runId,
      boolean force) {
    CompletionStage<List<Admission>> chain = CompletableFuture.completedFuture(new ArrayList<>());
    for (Scenario scenario : scenarios) {
      chain =
          chain.thenCompose(
              done ->
                  admitOne(scenario, mode, trigger.apply(scenario), runId.apply(scenario), force)
                      .exceptionally(
                          e ->
                              new Admission(
                                  runId.apply(scenario), false, "unavailable", e.getMessage()))
                      .thenApply(
                          a -> {
                            done.add(a);
                            return done;
                          }));
    }
    return chain;
  }

  private CompletionStage<Admission> admitOne(
      Scenario scenario, Mode mode, RunTrigger trigger, String runId, boolean force) {
    if (gate.full()) {
      return CompletableFuture.completedFuture(
          new Admission(
              runId,
              false,
              "global",
              gate.count()
                  + " scenario runs are under way (max_concurrent_scenarios "
                  + gate.max()
                  + ")"));
    }
    CompletionStage<Explanation> explanation =
        force
            ? CompletableFuture.completedFuture(
                Explanation.leaf("forced", true, "run by an operator without its conditions"))
            : evaluate(scenario);
    return explanation.thenCompose(
        why -> {
          if (!why.value()) {
            return CompletableFuture.completedFuture(
                new Admission(
                    runId, false, "conditions", "its conditions are false: " + summary(why)));
          }
          return sharding
              .entityRefFor(ScenarioKeys.SCENARIO, scenario.name())
              .<Admission>askWithStatus(
                  replyTo ->
                      new ScenarioCommand.Admit(
                          runId, mode, trigger, why, null, List.of(), replyTo),
                  askTimeout)
              .thenApply(
                  a -> {
                    if (a.admitted()) {
                      gate.admitted(runId);
                      log.info("Run {} of {} started ({})", runId, scenario.name(), mode);
                    } else {
                      log.debug("Run of {} not started: {}", scenario.name(), a.reason());
                    }
                    return a;
                  });
        });
  }

  /** The false leaves of an explanation, in one line. */
  static String summary(Explanation why) {
    List<String> parts = new ArrayList<>();
    collect(why, parts);
    return parts.isEmpty() ? why.condition() + " is false" : String.join("; ", parts);
  }

  private static void collect(Explanation e, List<String> out) {
    if (e.children().isEmpty()) {
      if (!e.value()) {
        out.add(e.condition() + ": " + e.detail());
      }
    } else {
      e.children().forEach(c -> collect(c, out));
    }
  }
}
