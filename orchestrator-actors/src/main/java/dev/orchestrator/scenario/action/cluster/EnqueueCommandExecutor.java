package dev.orchestrator.scenario.action.cluster;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orchestrator.command.CommandEntity;
import dev.orchestrator.command.CommandIds;
import dev.orchestrator.protocol.command.CommandRequest;
import dev.orchestrator.protocol.command.CommandSpec;
import dev.orchestrator.protocol.command.CommandStatus;
import dev.orchestrator.protocol.command.CommandView;
import dev.orchestrator.protocol.scenario.Action;
import dev.orchestrator.scenario.action.ActionContext;
import dev.orchestrator.scenario.action.ActionExecutor;
import dev.orchestrator.scenario.action.ActionFailed;
import dev.orchestrator.scenario.action.ActionResult;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code enqueue_command}: submits a durable command, as {@code POST /api/v1/commands} does, with
 * the attempt key as its idempotency key, so that a crash re-attempt reaches the command of the
 * first attempt; with {@code await}, waits until the command is final and fails unless it
 * succeeded. A command still open at the step's deadline is cancelled: the step's retry submits a
 * new one.
 */
final class EnqueueCommandExecutor implements ActionExecutor {
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final Polling polling;

  EnqueueCommandExecutor(ClusterSharding sharding, Duration askTimeout, Polling polling) {
    this.sharding = sharding;
    this.askTimeout = askTimeout;
    this.polling = polling;
  }

  @Override
  public CompletionStage<ActionResult> execute(Action action, ActionContext context) {
    Action.EnqueueCommand enqueue = (Action.EnqueueCommand) action;
    CommandSpec spec =
        new CommandSpec(
            enqueue.name(),
            enqueue.input(),
            null,
            null,
            null,
            0,
            null,
            idempotencyKey(context),
            null,
            null,
            null);
    List<String> problems = spec.problems();
    if (!problems.isEmpty()) {
      return CompletableFuture.failedFuture(
          new ActionFailed("command '" + enqueue.name() + "': " + String.join("; ", problems)));
    }
    String id = CommandIds.of(spec);
    EntityRef<CommandRequest> command = sharding.entityRefFor(CommandEntity.ENTITY_TYPE_KEY, id);
    CompletionStage<CommandView> submitted =
        command
            .<CommandView>askWithStatus(
                replyTo -> new CommandRequest.Submit(spec, null, replyTo), askTimeout)
            .exceptionally(
                failure -> {
                  throw new ActionFailed(
                      "command '"
                          + enqueue.name()
                          + "' was not submitted: "
                          + Failures.reason(failure));
                });
    if (!Boolean.TRUE.equals(enqueue.await())) {
      return submitted.thenApply(
          view ->
              new ActionResult(
                  "command "
                      + view.name()
                      + " submitted as "
                      + view.id()
                      + " ("
                      + view.status()
                      + ")",
                  output(view, false)));
    }
    return submitted.thenCompose(view -> awaitFinal(command, view, context));
  }

  /**
   * The attempt key, which stays the same across a crash re-attempt; a path nested so deep that the
   * key is over the limit uses the attempt's UUID, which is derived from it.
   */
  private static String idempotencyKey(ActionContext context) {
    String key = context.attemptKey();
    return key.length() <= CommandSpec.MAX_IDEMPOTENCY_KEY
        ? key
        : "scenario-step:" + context.attemptUuid();
  }

  private CompletionStage<ActionResult> awaitFinal(
      EntityRef<CommandRequest> command, CommandView first, ActionContext context) {
    CommandView[] last = {first};
    return polling
        .until(
            context,
            () ->
                (last[0].status().isFinal()
                        ? CompletableFuture.completedFuture(last[0])
                        : command.<CommandView>askWithStatus(CommandRequest.Get::new, askTimeout))
                    .thenApply(
                        view -> {
                          last[0] = view;
                          return view.status().isFinal() ? Optional.of(view) : Optional.empty();
                        }),
            failure -> stillOpen(command, last[0]))
        .thenApply(EnqueueCommandExecutor::result);
  }

  private static ActionResult result(CommandView view) {
    if (view.status() != CommandStatus.SUCCEEDED) {
      throw new ActionFailed(
          "command "
              + view.name()
              + " ("
              + view.id()
              + ") ended "
              + view.status()
              + " after "
              + attempts(view)
              + (view.error() == null ? "" : ": " + view.error()));
    }
    return new ActionResult(
        "command " + view.name() + " (" + view.id() + ") SUCCEEDED after " + attempts(view),
        output(view, true));
  }

  private ActionFailed stillOpen(EntityRef<CommandRequest> command, CommandView view) {
    command.<CommandView>askWithStatus(
        replyTo -> new CommandRequest.Cancel("the scenario step's deadline passed", replyTo),
        askTimeout);
    return new ActionFailed(
        "command "
            + view.name()
            + " ("
            + view.id()
            + ") was still "
            + view.status()
            + (view.waitingFor() == null ? "" : " (" + view.waitingFor() + ")")
            + " at the step's deadline; it is being cancelled");
  }

  private static String attempts(CommandView view) {
    return view.attempts() + (view.attempts() == 1 ? " attempt" : " attempts");
  }

  private static ObjectNode output(CommandView view, boolean withOutput) {
    ObjectNode output =
        JsonNodeFactory.instance
            .objectNode()
            .put("commandId", view.id())
            .put("status", view.status().name());
    if (withOutput && view.output() != null) {
      output.set("output", view.output());
    }
    return output;
  }
}
