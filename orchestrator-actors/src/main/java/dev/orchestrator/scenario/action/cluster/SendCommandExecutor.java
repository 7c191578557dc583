package dev.orchestrator.scenario.action.cluster;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orchestrator.lifecycle.LifecyclePlanner;
import dev.orchestrator.lifecycle.LifecycleRuns;
import dev.orchestrator.protocol.Durations;
import dev.orchestrator.protocol.lifecycle.LifecycleRunSpec;
import dev.orchestrator.protocol.lifecycle.LifecycleRunView;
import dev.orchestrator.protocol.lifecycle.LifecycleRunView.Outcome;
import dev.orchestrator.protocol.scenario.Action;
import dev.orchestrator.scenario.action.ActionContext;
import dev.orchestrator.scenario.action.ActionExecutor;
import dev.orchestrator.scenario.action.ActionFailed;
import dev.orchestrator.scenario.action.ActionResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code send_command}: a lifecycle command for a component, a group or {@code @all}, as a durable
 * lifecycle run whose id is the attempt's UUID (a crash re-attempt finds the run of the first
 * attempt instead of starting a second one) and whose timeout is the time left to the step's
 * deadline; the step ends with the run.
 *
 * <p>Each look at the lifecycle run waits there ({@link LifecycleRuns#awaitEnd}) up to {@link
 * #LOOK_WAIT}: the run answers the moment it finishes, so the step ends with it instead of at the
 * next poll, and a long run costs one ask every few seconds.
 */
final class SendCommandExecutor implements ActionExecutor {
  /** How long one look waits at the lifecycle run for its end. */
  static final Duration LOOK_WAIT = Duration.ofSeconds(5);

  private final LifecycleRuns runs;
  private final Polling polling;

  SendCommandExecutor(LifecycleRuns runs, Polling polling) {
    this.runs = runs;
    this.polling = polling;
  }

  @Override
  public CompletionStage<ActionResult> execute(Action action, ActionContext context) {
    Action.SendCommand send = (Action.SendCommand) action;
    String what = send.command() + " to " + send.target();
    Duration left = Failures.left(context.deadline());
    if (left.isNegative() || left.isZero()) {
      return CompletableFuture.failedFuture(
          new ActionFailed(what + " was not sent: the step's deadline had passed already"));
    }
    Duration timeout =
        left.compareTo(LifecycleRunSpec.MAX_TIMEOUT) > 0 ? LifecycleRunSpec.MAX_TIMEOUT : left;
    Duration stepTimeout =
        timeout.compareTo(LifecycleRunSpec.DEFAULT_STEP_TIMEOUT) < 0
            ? timeout
            : LifecycleRunSpec.DEFAULT_STEP_TIMEOUT;
    LifecycleRunSpec spec =
        new LifecycleRunSpec(send.target(), send.command(), send.order(), stepTimeout, timeout);
    List<String> problems = spec.problems();
    if (!problems.isEmpty()) {
      return CompletableFuture.failedFuture(
          new ActionFailed(what + " cannot run: " + String.join("; ", problems)));
    }
    String runId = context.attemptUuid().toString();
    return existing(runId, context.reattempt())
        .thenCompose(
            found ->
                found.isPresent()
                    ? CompletableFuture.completedFuture(found.get())
                    : start(runId, spec, what))
        .thenCompose(
            started ->
                started.status().equals("RUNNING")
                    ? awaitEnd(runId, what, context)
                    : CompletableFuture.completedFuture(started))
        .thenApply(view -> outcome(view, what));
  }

  /**
   * After a crash, the run the first attempt started, if it got that far: found, it is not planned
   * again (the topology may have changed since). Not found, or not readable now, it is started;
   * Start is idempotent, so a run that exists after all answers its report.
   */
  private CompletionStage<Optional<LifecycleRunView>> existing(String runId, boolean reattempt) {
    if (!reattempt) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return runs.get(runId).handle((view, failure) -> Optional.ofNullable(view));
  }

  private CompletionStage<LifecycleRunView> start(
      String runId, LifecycleRunSpec spec, String what) {
    return runs.start(runId, spec)
        .exceptionally(
            failure -> {
              Throwable t = Failures.unwrap(failure);
              if (t instanceof LifecyclePlanner.Unplannable) {
                throw new ActionFailed(what + " cannot run: " + t.getMessage());
              }
              throw new ActionFailed(what + " was not started: " + Failures.reason(t));
            });
  }

  private CompletionStage<LifecycleRunView> awaitEnd(
      String runId, String what, ActionContext context) {
    LifecycleRunView[] last = new LifecycleRunView[1];
    return polling.until(
        context,
        () ->
            runs.awaitEnd(runId, lookWait(context))
                .thenApply(
                    view -> {
                      last[0] = view;
                      return view.status().equals("RUNNING") ? Optional.empty() : Optional.of(view);
                    }),
        failure ->
            new ActionFailed(
                what
                    + ": lifecycle run "
                    + runId
                    + " had not finished at the step's deadline"
                    + (last[0] == null
                        ? ""
                        : "; open: " + describe(last[0], List.of("PENDING", "SENT")))
                    + (failure == null ? "" : " (last read: " + Failures.reason(failure) + ")")));
  }

  /** {@link #LOOK_WAIT}, or less when the step's deadline comes sooner. */
  private static Duration lookWait(ActionContext context) {
    Duration left = Failures.left(context.deadline());
    if (left.compareTo(LOOK_WAIT) > 0) {
      return LOOK_WAIT;
    }
    return left.isNegative() || left.isZero() ? Duration.ofMillis(1) : left;
  }

  private static ActionResult outcome(LifecycleRunView view, String what) {
    List<Outcome> all = outcomes(view);
    if (!view.status().equals("SUCCEEDED")) {
      long failed = all.stream().filter(o -> !o.status().equals("REACHED")).count();
      throw new ActionFailed(
          what
              + " "
              + view.status()
              + " on "
              + failed
              + " of "
              + all.size()
              + " components (lifecycle run "
              + view.id()
              + "): "
              + describe(view, List.of("FAILED", "SKIPPED", "PENDING", "SENT")));
    }
    TreeSet<String> reached = new TreeSet<>();
    all.forEach(o -> reached.add(o.reached()));
    long already = all.stream().filter(o -> o.reason() != null).count();
    ObjectNode output = JsonNodeFactory.instance.objectNode().put("lifecycleRunId", view.id());
    return new ActionResult(
        view.spec().command()
            + " reached "
            + String.join("/", reached)
            + " on "
            + all.size()
            + (all.size() == 1 ? " component" : " components")
            + (already == 0 ? "" : " (" + already + " there already)")
            + " in "
            + Durations.format(Duration.between(view.startedAt(), view.finishedAt())),
        output);
  }

  /** The components whose status is among {@code statuses}, with why, such as "b FAILED: ...". */
  private static String describe(LifecycleRunView view, List<String> statuses) {
    List<String> parts = new ArrayList<>();
    for (Outcome o : outcomes(view)) {
      if (statuses.contains(o.status())) {
        parts.add(o.id() + " " + o.status() + (o.reason() == null ? "" : " (" + o.reason() + ")"));
      }
    }
    return parts.isEmpty() ? "none" : String.join(", ", parts);
  }

  private static List<Outcome> outcomes(LifecycleRunView view) {
    List<Outcome> all = new ArrayList<>();
    view.steps().forEach(step -> all.addAll(step.components()));
    return all;
  }
}
