package dev.orchestrator.scenario.action.cluster;

import dev.orchestrator.lifecycle.ComponentPort;
import dev.orchestrator.lifecycle.ComponentTopology;
import dev.orchestrator.lifecycle.LifecyclePlanner;
import dev.orchestrator.protocol.Durations;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.scenario.Action;
import dev.orchestrator.scenario.action.ActionContext;
import dev.orchestrator.scenario.action.ActionExecutor;
import dev.orchestrator.scenario.action.ActionFailed;
import dev.orchestrator.scenario.action.ActionResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code wait_for_state}: waits until every component the target names is in the state, or fails at
 * the step's deadline naming the laggards and where they stand.
 *
 * <p>The target is resolved from the {@code components} table (membership changes rarely, and one
 * query beats asking every entity), but states are read from the component entities: the table lags
 * behind them by the projection's delay, and a wait right after a {@code send_command} (whose
 * lifecycle run judged by the entities) would otherwise see states the entities left already and
 * end late. To keep that affordable for {@code @all} on many components, each look asks only the
 * components not yet seen in the state, and once none is left one more look asks them all, so that
 * a component that left the state meanwhile is caught; the step succeeds on a full look where all
 * are in the state.
 */
final class WaitForStateExecutor implements ActionExecutor {
  private static final int MAX_LISTED = 20;

  private final ComponentTopology topology;
  private final ComponentPort components;
  private final Polling polling;

  WaitForStateExecutor(ComponentTopology topology, ComponentPort components, Polling polling) {
    this.topology = topology;
    this.components = components;
    this.polling = polling;
  }

  @Override
  public CompletionStage<ActionResult> execute(Action action, ActionContext context) {
    Action.WaitForState wait = (Action.WaitForState) action;
    if (wait.target() == null || wait.state() == null) {
      return CompletableFuture.failedFuture(
          new ActionFailed("wait_for_state needs a target and a state"));
    }
    Instant began = Instant.now();
    // A target that names nothing yet is looked up again until the deadline: a component
    // registered a moment ago may not be in the read side yet.
    AtomicReference<String> notFound = new AtomicReference<>();
    return polling
        .until(
            context,
            () -> topology.read().thenApply(nodes -> resolve(wait, nodes, notFound)),
            failure -> new ActionFailed("wait_for_state " + wait.target() + ": " + notFound.get()))
        .thenCompose(ids -> new Watch(ids, wait, context, began).run());
  }

  private static Optional<Set<String>> resolve(
      Action.WaitForState wait,
      Map<String, ComponentTopology.Node> nodes,
      AtomicReference<String> notFound) {
    try {
      return Optional.of(LifecyclePlanner.targets(wait.target(), nodes));
    } catch (LifecyclePlanner.Unplannable e) {
      if (!e.notFound()) {
        throw new ActionFailed("wait_for_state " + wait.target() + ": " + e.getMessage());
      }
      notFound.set(e.getMessage());
      return Optional.empty();
    }
  }

  /** One wait: what the last looks saw. Looks run one after another, never at once. */
  private final class Watch {
    private final Set<String> all;
    private final Action.WaitForState wait;
    private final ActionContext context;
    private final Instant began;
    private final Map<String, String> laggards = new TreeMap<>();
    private Set<String> pending;
    private boolean fullLook = true;

    Watch(Set<String> all, Action.WaitForState wait, ActionContext context, Instant began) {
      this.all = all;
      this.wait = wait;
      this.context = context;
      this.began = began;
      this.pending = new TreeSet<>(all);
    }

    CompletionStage<ActionResult> run() {
      return polling.until(context, this::look, failure -> timedOut());
    }

    private CompletionStage<Optional<ActionResult>> look() {
      List<String> ids = List.copyOf(pending);
      boolean full = fullLook;
      List<CompletableFuture<String>> answers = new ArrayList<>();
      for (String id : ids) {
        answers.add(
            components
                .view(id)
                .handle((view, failure) -> standing(view, failure))
                .toCompletableFuture());
      }
      return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
          .thenCompose(
              done -> {
                for (int i = 0; i < ids.size(); i++) {
                  String where = answers.get(i).join();
                  if (where == null) {
                    pending.remove(ids.get(i));
                    laggards.remove(ids.get(i));
                  } else {
                    laggards.put(ids.get(i), where);
                  }
                }
                if (!pending.isEmpty()) {
                  fullLook = false;
                  return CompletableFuture.completedFuture(Optional.empty());
                }
                if (full) {
                  return CompletableFuture.completedFuture(Optional.of(reached()));
                }
                // The last laggards arrived: look at all of them again, at once.
                pending = new TreeSet<>(all);
                fullLook = true;
                return look();
              });
    }

    /** Null when the component is in the state; else where it stands, such as "is RUN". */
    private String standing(ComponentView view, Throwable failure) {
      if (failure != null) {
        return Failures.refused(failure)
            ? "is not registered"
            : "did not answer (" + Failures.reason(failure) + ")";
      }
      if (view.unreachable()) {
        return "is unreachable";
      }
      return view.state() == wait.state() ? null : "is " + view.state();
    }

    private ActionResult reached() {
      return ActionResult.of(
          all.size()
              + (all.size() == 1 ? " component" : " components")
              + " of "
              + wait.target()
              + " in "
              + wait.state()
              + " after "
              + Durations.format(Duration.between(began, Instant.now())));
    }

    private ActionFailed timedOut() {
      Duration waited =
          wait.timeout() != null ? wait.timeout() : Duration.between(began, Instant.now());
      List<String> parts = new ArrayList<>();
      laggards.forEach(
          (id, where) -> {
            if (parts.size() < MAX_LISTED) {
              parts.add(id + " " + where);
            }
          });
      if (laggards.size() > MAX_LISTED) {
        parts.add("and " + (laggards.size() - MAX_LISTED) + " more");
      }
      FsmState state = wait.state();
      return new ActionFailed(
          "timed out after "
              + Durations.format(waited)
              + " waiting for "
              + wait.target()
              + " to be "
              + state
              + ": "
              + (parts.isEmpty()
                  ? "each was seen in it, but not all at once"
                  : String.join(", ", parts)));
    }
  }
}
