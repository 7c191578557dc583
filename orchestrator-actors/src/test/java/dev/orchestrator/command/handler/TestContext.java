package dev.orchestrator.command.handler;

import dev.orchestrator.command.spi.CommandContext;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;

/** A CommandContext for tests: cancel it with {@link #cancel()}. */
final class TestContext implements CommandContext {
  final CompletableFuture<Void> cancelled = new CompletableFuture<>();
  private final int attempt;
  private final Instant deadline;

  TestContext(int attempt, Duration timeout) {
    this.attempt = attempt;
    this.deadline = Instant.now().plus(timeout);
  }

  static TestContext first() {
    return new TestContext(1, Duration.ofSeconds(30));
  }

  void cancel() {
    cancelled.complete(null);
  }

  @Override
  public String commandId() {
    return "test-command";
  }

  @Override
  public int attempt() {
    return attempt;
  }

  @Override
  public Optional<String> idempotencyKey() {
    return Optional.empty();
  }

  @Override
  public Instant deadline() {
    return deadline;
  }

  @Override
  public CompletionStage<Void> cancelled() {
    return cancelled;
  }

  @Override
  public boolean isCancelled() {
    return cancelled.isDone();
  }

  @Override
  public Executor blockingExecutor() {
    return ForkJoinPool.commonPool();
  }
}
