package dev.orchestrator.drill;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.japi.Pair;
import akka.pattern.Patterns;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import dev.orchestrator.command.CommandEntity;
import dev.orchestrator.protocol.command.CommandRequest;
import dev.orchestrator.protocol.command.CommandStatus;
import dev.orchestrator.protocol.command.CommandView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * After a drill: reads every acknowledged command from its entity until it is SUCCEEDED, or until
 * the verify timeout. One not SUCCEEDED by then (missing, failed, still running) is lost.
 */
final class CommandCheck {
  private static final int PARALLELISM = 16;
  private static final Duration ROUND_PAUSE = Duration.ofMillis(500);

  /**
   * @param succeeded how many were found SUCCEEDED
   * @param lost the others
   * @param duplicated SUCCEEDED ones that ran more than one attempt
   */
  record Result(int succeeded, List<String> lost, int duplicated) {}

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final long deadlineNanos;
  private final Set<String> open;
  private final List<String> failed = new ArrayList<>();
  private int succeeded;
  private int duplicated;

  private CommandCheck(
      ActorSystem<?> system, Collection<String> ids, Duration askTimeout, Duration verifyTimeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.askTimeout = askTimeout;
    this.deadlineNanos = System.nanoTime() + verifyTimeout.toNanos();
    this.open = new HashSet<>(ids);
  }

  static CompletionStage<Result> run(
      ActorSystem<?> system, Collection<String> ids, Duration askTimeout, Duration verifyTimeout) {
    return new CommandCheck(system, ids, askTimeout, verifyTimeout).round();
  }

  private CompletionStage<Result> round() {
    return Source.from(List.copyOf(open))
        .mapAsyncUnordered(
            PARALLELISM,
            id ->
                sharding
                    .entityRefFor(CommandEntity.ENTITY_TYPE_KEY, id)
                    .<CommandView>askWithStatus(CommandRequest.Get::new, askTimeout)
                    .handle((view, failure) -> Pair.create(id, failure == null ? view : null)))
        .runWith(Sink.seq(), system)
        .thenCompose(
            answers -> {
              answers.forEach(answer -> look(answer.first(), answer.second()));
              if (open.isEmpty() || System.nanoTime() - deadlineNanos > 0) {
                List<String> lost = new ArrayList<>(failed);
                lost.addAll(open);
                return CompletableFuture.completedFuture(new Result(succeeded, lost, duplicated));
              }
              return Patterns.after(
                  ROUND_PAUSE,
                  system.classicSystem().scheduler(),
                  system.executionContext(),
                  this::round);
            });
  }

  /** Counts a command once it is final; one still on its way (or unreadable) stays open. */
  private void look(String id, CommandView view) {
    if (view == null || !view.status().isFinal()) {
      return;
    }
    open.remove(id);
    if (view.status() == CommandStatus.SUCCEEDED) {
      succeeded++;
      if (view.attempts() > 1) {
        duplicated++;
      }
    } else {
      failed.add(id);
    }
  }
}
