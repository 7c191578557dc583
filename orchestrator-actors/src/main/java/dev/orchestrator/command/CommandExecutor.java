package dev.orchestrator.command;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.orchestrator.Bootstrap;
import dev.orchestrator.command.CommandInternal.Attached;
import dev.orchestrator.command.CommandInternal.AttemptOutcome;
import dev.orchestrator.command.CommandInternal.CancelAttempt;
import dev.orchestrator.command.CommandInternal.Execute;
import dev.orchestrator.command.CommandInternal.ExecutorGone;
import dev.orchestrator.command.CommandInternal.ExecutorMessage;
import dev.orchestrator.command.CommandInternal.Failure;
import dev.orchestrator.command.CommandInternal.Reattach;
import dev.orchestrator.command.handler.HandlerRegistry;
import dev.orchestrator.command.spi.CommandContext;
import dev.orchestrator.command.spi.CommandHandler;
import dev.orchestrator.command.spi.PermanentFailure;
import dev.orchestrator.protocol.command.CommandRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Runs command attempts on this node: one per node, registered with the receptionist so that
 * command entities anywhere in the cluster find it (see {@link ExecutorDirectory}). Handlers run
 * asynchronously; the executor only keeps the cancellation signals of the attempts in flight.
 */
public final class CommandExecutor {
  private CommandExecutor() {}

  /** An attempt finished (locally); its outcome goes to the entity. */
  private record Finished(String key, Execute execute, AttemptOutcome outcome)
      implements ExecutorMessage {}

  public static Behavior<ExecutorMessage> create(HandlerRegistry handlers) {
    return Behaviors.setup(
        context -> {
          context
              .getSystem()
              .receptionist()
              .tell(Receptionist.register(ExecutorDirectory.KEY, context.getSelf()));
          // Akka's mapper, but strict about inputs: a misspelt field fails the command clearly
          // instead of reaching the handler as a missing one.
          ObjectMapper mapper =
              JacksonObjectMapperProvider.get(context.getSystem())
                  .getOrCreate("jackson-json", Optional.empty())
                  .copy()
                  .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
          Executor blocking =
              context
                  .getSystem()
                  .dispatchers()
                  .lookup(DispatcherSelector.fromConfig(Bootstrap.BLOCKING_DISPATCHER));
          return running(context, handlers, mapper, blocking, new Attempts());
        });
  }

  /**
   * The attempts in flight (their cancellation signals and whom to answer) and the outcomes of the
   * last finished ones: an entity restarted while its attempt finished (its shard moved) gets the
   * outcome when it re-attaches, instead of running the attempt again.
   */
  private static final class Attempts {
    private static final int RECENT_MAX = 10_000;
    private static final Duration RECENT_KEPT = Duration.ofMinutes(5);

    final Map<String, CompletableFuture<Void>> cancelSignals = new HashMap<>();
    final Map<String, ActorRef<CommandRequest>> replyTos = new HashMap<>();
    private final LinkedHashMap<String, Recent> recent = new LinkedHashMap<>();

    private record Recent(AttemptOutcome outcome, Instant at) {}

    void finished(String key, AttemptOutcome outcome) {
      cancelSignals.remove(key);
      Instant now = Instant.now();
      recent.put(key, new Recent(outcome, now));
      Iterator<Recent> oldest = recent.values().iterator();
      while (oldest.hasNext()) {
        Recent r = oldest.next();
        if (recent.size() <= RECENT_MAX && r.at().isAfter(now.minus(RECENT_KEPT))) {
          break;
        }
        oldest.remove();
      }
    }

    Optional<AttemptOutcome> recentOutcome(String key) {
      return Optional.ofNullable(recent.get(key)).map(Recent::outcome);
    }
  }

  private static Behavior<ExecutorMessage> running(
      ActorContext<ExecutorMessage> context,
      HandlerRegistry handlers,
      ObjectMapper mapper,
      Executor blocking,
      Attempts attempts) {
    return Behaviors.receive(ExecutorMessage.class)
        .onMessage(
            Execute.class,
            execute -> {
              String key = execute.commandId() + "#" + execute.attempt();
              CompletableFuture<Void> cancelled = new CompletableFuture<>();
              attempts.cancelSignals.put(key, cancelled);
              attempts.replyTos.put(key, execute.replyTo());
              run(execute, handlers, mapper, blocking, cancelled)
                  .whenComplete(
                      (outcome, failure) ->
                          context
                              .getSelf()
                              .tell(
                                  new Finished(
                                      key,
                                      execute,
                                      failure == null
                                          ? outcome
                                          : AttemptOutcome.failed(
                                              execute.attempt(),
                                              Failure.RETRYABLE,
                                              message(failure)))));
              return Behaviors.same();
            })
        .onMessage(
            CancelAttempt.class,
            cancel -> {
              CompletableFuture<Void> signal =
                  attempts.cancelSignals.get(cancel.commandId() + "#" + cancel.attempt());
              if (signal != null) {
                signal.complete(null);
              }
              return Behaviors.same();
            })
        .onMessage(
            Finished.class,
            finished -> {
              attempts.finished(finished.key(), finished.outcome());
              ActorRef<CommandRequest> replyTo = attempts.replyTos.remove(finished.key());
              (replyTo == null ? finished.execute().replyTo() : replyTo).tell(finished.outcome());
              return Behaviors.same();
            })
        .onMessage(
            Reattach.class,
            reattach -> {
              String key = reattach.commandId() + "#" + reattach.attempt();
              if (attempts.cancelSignals.containsKey(key)) {
                attempts.replyTos.put(key, reattach.replyTo());
                reattach.replyTo().tell(new Attached(reattach.attempt()));
              } else {
                reattach
                    .replyTo()
                    .tell(
                        attempts
                            .recentOutcome(key)
                            .<CommandRequest>map(o -> o)
                            .orElse(new ExecutorGone(reattach.attempt())));
              }
              return Behaviors.same();
            })
        .build();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static CompletionStage<AttemptOutcome> run(
      Execute execute,
      HandlerRegistry handlers,
      ObjectMapper mapper,
      Executor blocking,
      CompletableFuture<Void> cancelled) {
    int attempt = execute.attempt();
    Optional<CommandHandler<?, ?>> found = handlers.find(execute.name());
    if (found.isEmpty()) {
      return CompletableFuture.completedFuture(
          AttemptOutcome.failed(
              attempt,
              Failure.NOT_FOUND,
              "no handler named '"
                  + execute.name()
                  + "' on this node; known: "
                  + String.join(", ", handlers.names().stream().sorted().toList())));
    }
    CommandHandler handler = found.get();
    Object input;
    try {
      JsonNode json = execute.input() == null ? NullNode.getInstance() : execute.input();
      input =
          handler.inputType() == JsonNode.class
              ? json
              : mapper.treeToValue(json, handler.inputType());
    } catch (Exception e) {
      return CompletableFuture.completedFuture(
          AttemptOutcome.failed(
              attempt,
              Failure.PERMANENT,
              "the input does not fit handler '" + execute.name() + "': " + e.getMessage()));
    }
    Context context =
        new Context(
            execute.commandId(),
            attempt,
            Optional.ofNullable(execute.idempotencyKey()),
            execute.deadline(),
            cancelled,
            blocking);
    CompletionStage<Object> result;
    try {
      result = handler.handle(input, context);
    } catch (RuntimeException e) {
      result = CompletableFuture.failedFuture(e);
    }
    return result.handle(
        (output, failure) -> {
          if (failure == null) {
            return AttemptOutcome.succeeded(
                attempt, output == null ? NullNode.getInstance() : mapper.valueToTree(output));
          }
          Throwable cause = unwrap(failure);
          if (cancelled.isDone()) {
            return AttemptOutcome.failed(
                attempt, Failure.CANCELLED, "cancelled: " + message(cause));
          }
          if (cause instanceof PermanentFailure) {
            return AttemptOutcome.failed(attempt, Failure.PERMANENT, message(cause));
          }
          return AttemptOutcome.failed(attempt, Failure.RETRYABLE, message(cause));
        });
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String message(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof CancellationException) {
      return "the attempt was cancelled";
    }
    String message = t.getMessage();
    return message == null ? t.getClass().getSimpleName() : message;
  }

  private record Context(
      String commandId,
      int attempt,
      Optional<String> idempotencyKey,
      Instant deadline,
      CompletableFuture<Void> cancelSignal,
      Executor blockingExecutor)
      implements CommandContext {
    @Override
    public CompletionStage<Void> cancelled() {
      return cancelSignal.minimalCompletionStage();
    }

    @Override
    public boolean isCancelled() {
      return cancelSignal.isDone();
    }
  }
}
