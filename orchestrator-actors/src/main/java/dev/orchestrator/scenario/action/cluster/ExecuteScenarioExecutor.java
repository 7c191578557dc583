package dev.orchestrator.scenario.action.cluster;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.orchestrator.protocol.scenario.Action;
import dev.orchestrator.protocol.scenario.RunStatus;
import dev.orchestrator.protocol.scenario.RunTrigger;
import dev.orchestrator.protocol.scenario.ScenarioCommand;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Admission;
import dev.orchestrator.protocol.scenario.ScenarioRunCommand;
import dev.orchestrator.protocol.scenario.ScenarioRunView;
import dev.orchestrator.scenario.ScenarioKeys;
import dev.orchestrator.scenario.action.ActionContext;
import dev.orchestrator.scenario.action.ActionExecutor;
import dev.orchestrator.scenario.action.ActionFailed;
import dev.orchestrator.scenario.action.ActionResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code execute_scenario}: runs another scenario as a nested run and waits for it. Refused before
 * anything is asked when the scenario is in the chain of runs above (a cycle) or the nested run
 * would be deeper than {@code orchestrator.scenarios.max-nesting-depth}. The nested run's id is the
 * attempt's UUID: the scenario entity answers a second Admit of the same run the same, so a crash
 * re-attempt waits for the run the first attempt started. A nested run still going at the step's
 * deadline is cancelled.
 */
final class ExecuteScenarioExecutor implements ActionExecutor {
  private final ClusterSharding sharding;
  private final int maxDepth;
  private final Duration askTimeout;
  private final Polling polling;

  ExecuteScenarioExecutor(
      ClusterSharding sharding, int maxDepth, Duration askTimeout, Polling polling) {
    this.sharding = sharding;
    this.maxDepth = maxDepth;
    this.askTimeout = askTimeout;
    this.polling = polling;
  }

  @Override
  public CompletionStage<ActionResult> execute(Action action, ActionContext context) {
    String name = ((Action.ExecuteScenario) action).name();
    String current = context.spec().scenario();
    List<String> chain = new ArrayList<>(context.spec().chain());
    chain.add(current);
    Optional<String> refusal = refusal(name, chain);
    if (refusal.isPresent()) {
      return CompletableFuture.failedFuture(new ActionFailed(refusal.get()));
    }
    String runId = context.attemptUuid().toString();
    RunTrigger trigger = new RunTrigger("scenario", null, context.runId(), null, Instant.now());
    // Asked from a stage, so that whatever the ask throws (no shard region for the type on this
    // node) ends in a failed step, not in an exception out of execute.
    return CompletableFuture.completedFuture(name)
        .thenCompose(
            key ->
                sharding
                    .entityRefFor(ScenarioKeys.SCENARIO, key)
                    .<Admission>askWithStatus(
                        replyTo ->
                            new ScenarioCommand.Admit(
                                runId,
                                ScenarioCommand.Mode.NESTED,
                                trigger,
                                null,
                                context.runId(),
                                List.copyOf(chain),
                                replyTo),
                        askTimeout))
        .exceptionally(
            failure -> {
              throw new ActionFailed(
                  "scenario '" + name + "' was not started: " + Failures.reason(failure));
            })
        .thenCompose(
            admission -> {
              if (!admission.admitted()) {
                throw new ActionFailed(
                    "scenario '"
                        + name
                        + "' was not admitted ("
                        + admission.code()
                        + "): "
                        + admission.reason());
              }
              return awaitEnd(name, runId, context);
            });
  }

  /**
   * Why {@code name} may not run below {@code chain} (the scenarios from the top run down to the
   * one asking), if it may not.
   */
  Optional<String> refusal(String name, List<String> chain) {
    if (name == null || name.isEmpty()) {
      return Optional.of("execute_scenario needs the name of a scenario");
    }
    List<String> path = new ArrayList<>(chain);
    path.add(name);
    if (chain.contains(name)) {
      return Optional.of(
          "scenario '"
              + name
              + "' would run inside itself: "
              + String.join(" -> ", path)
              + "; a scenario cannot execute one of the scenarios that led to it");
    }
    int depth = chain.size();
    if (depth > maxDepth) {
      return Optional.of(
          "scenario '"
              + name
              + "' would run at nesting depth "
              + depth
              + ", deeper than orchestrator.scenarios.max-nesting-depth = "
              + maxDepth
              + ": "
              + String.join(" -> ", path));
    }
    return Optional.empty();
  }

  private CompletionStage<ActionResult> awaitEnd(String name, String runId, ActionContext context) {
    EntityRef<ScenarioRunCommand> run = sharding.entityRefFor(ScenarioKeys.RUN, runId);
    ScenarioRunView[] last = new ScenarioRunView[1];
    return polling
        .until(
            context,
            // Refused while the admitted run has not begun yet: Polling takes that as "not yet".
            () ->
                run.<ScenarioRunView>askWithStatus(ScenarioRunCommand.Get::new, askTimeout)
                    .thenApply(
                        view -> {
                          last[0] = view;
                          return view.status() == RunStatus.RUNNING
                              ? Optional.empty()
                              : Optional.of(view);
                        }),
            failure -> {
              run.<ScenarioRunView>askWithStatus(
                  replyTo ->
                      new ScenarioRunCommand.Cancel(
                          "the step "
                              + context.path()
                              + " of run "
                              + context.runId()
                              + " timed out",
                          replyTo),
                  askTimeout);
              return new ActionFailed(
                  "nested run "
                      + runId
                      + " of scenario '"
                      + name
                      + "' had not ended at the step's deadline"
                      + (last[0] == null && failure != null
                          ? " (it could not be read: " + Failures.reason(failure) + ")"
                          : "")
                      + "; it is being cancelled");
            })
        .thenApply(
            view -> {
              if (view.status() != RunStatus.SUCCEEDED) {
                throw new ActionFailed(
                    "nested run "
                        + runId
                        + " of scenario '"
                        + name
                        + "' ended "
                        + view.status()
                        + (view.error() == null ? "" : ": " + view.error()));
              }
              return new ActionResult(
                  "scenario " + name + " SUCCEEDED (run " + runId + ")",
                  JsonNodeFactory.instance.objectNode().put("runId", runId));
            });
  }
}
