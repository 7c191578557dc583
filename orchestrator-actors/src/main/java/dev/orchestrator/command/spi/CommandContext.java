package dev.orchestrator.command.spi;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** What a handler knows about the attempt it runs. */
public interface CommandContext {
  String commandId();

  /** 1 for the first attempt; higher after a failure, a timeout or a crash of the node. */
  int attempt();

  Optional<String> idempotencyKey();

  /** When this attempt counts as timed out. */
  Instant deadline();

  /** Completes when the command is cancelled or the attempt timed out: stop working then. */
  CompletionStage<Void> cancelled();

  boolean isCancelled();

  /** A thread pool for blocking work (JDBC, blocking HTTP clients, files). */
  Executor blockingExecutor();
}
