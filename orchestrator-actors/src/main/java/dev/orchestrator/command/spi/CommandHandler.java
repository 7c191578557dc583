package dev.orchestrator.command.spi;

import java.util.concurrent.CompletionStage;

/**
 * A kind of durable command: the code that runs one attempt. Implementations are found through
 * {@link java.util.ServiceLoader} ({@code
 * META-INF/services/dev.orchestrator.command.spi.CommandHandler}) or registered explicitly, and are
 * named after their class ({@code SendEmailCommand} is {@code send_email}) unless annotated with
 * {@link CommandName}.
 *
 * <p>Execution is at-least-once: an attempt may run again after a crash, so a handler should be
 * idempotent, using {@link CommandContext#idempotencyKey()} and {@link CommandContext#attempt()}.
 *
 * @param <I> the input, read from the command's JSON input (use {@code JsonNode} for any JSON)
 * @param <O> the output, written as JSON; {@code Void} for none
 */
public interface CommandHandler<I, O> {

  /** The Java type that the command's JSON input is read into. */
  Class<I> inputType();

  /**
   * Runs one attempt. Complete exceptionally to fail the attempt (it is retried while retries
   * remain), with {@link PermanentFailure} to fail the command at once. Long work should watch
   * {@link CommandContext#cancelled()}; blocking work belongs on {@link
   * CommandContext#blockingExecutor()}.
   */
  CompletionStage<O> handle(I input, CommandContext context);
}
