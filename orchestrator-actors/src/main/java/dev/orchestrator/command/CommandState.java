package dev.orchestrator.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.JsonSerializable;
import dev.orchestrator.protocol.command.CommandEvent;
import dev.orchestrator.protocol.command.CommandEvent.AttemptFailed;
import dev.orchestrator.protocol.command.CommandEvent.AttemptStarted;
import dev.orchestrator.protocol.command.CommandEvent.CancelRequested;
import dev.orchestrator.protocol.command.CommandEvent.Cancelled;
import dev.orchestrator.protocol.command.CommandEvent.Child;
import dev.orchestrator.protocol.command.CommandEvent.Failed;
import dev.orchestrator.protocol.command.CommandEvent.Submitted;
import dev.orchestrator.protocol.command.CommandEvent.Succeeded;
import dev.orchestrator.protocol.command.CommandEvent.Waiting;
import dev.orchestrator.protocol.command.CommandSpec;
import dev.orchestrator.protocol.command.CommandStatus;
import dev.orchestrator.protocol.command.CommandView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The state of a command entity: {@link Empty} until submitted, then {@link Known}. Immutable; each
 * event yields the next state.
 */
public sealed interface CommandState extends JsonSerializable {

  CommandState apply(CommandEvent event);

  record Empty() implements CommandState {
    @Override
    public CommandState apply(CommandEvent event) {
      if (event instanceof Submitted s) {
        boolean later = s.spec().scheduledAt() != null && s.spec().scheduledAt().isAfter(s.at());
        return new Known(
            s.id(),
            s.spec(),
            s.parentId(),
            s.timeout(),
            later ? CommandStatus.SCHEDULED : CommandStatus.PENDING,
            0,
            0,
            0,
            null,
            null,
            null,
            null,
            List.of(),
            s.at(),
            null,
            later ? s.spec().scheduledAt() : null,
            null,
            null);
      }
      throw new IllegalStateException("unexpected " + event + " before Submitted");
    }
  }

  /** The node running the current attempt, and when it started there. */
  record Attempt(String node, Instant at) implements JsonSerializable {}

  /**
   * @param failures failed attempts (they use up retries)
   * @param interruptions attempts lost because their node stopped (they do not)
   * @param cancelReason set once a cancel was requested while an attempt ran
   * @param attempt where and since when the current attempt runs (null unless RUNNING)
   */
  record Known(
      String id,
      CommandSpec spec,
      String parentId,
      Duration timeout,
      CommandStatus status,
      int attempts,
      int failures,
      int interruptions,
      JsonNode output,
      String error,
      String waitingFor,
      String cancelReason,
      List<String> children,
      Instant createdAt,
      Instant startedAt,
      Instant nextAttemptAt,
      Instant finishedAt,
      Attempt attempt)
      implements CommandState {

    @Override
    public CommandState apply(CommandEvent event) {
      if (event instanceof AttemptStarted a) {
        return new Known(
            id,
            spec,
            parentId,
            timeout,
            CommandStatus.RUNNING,
            a.attempt(),
            failures,
            interruptions,
            output,
            error,
            null,
            cancelReason,
            children,
            createdAt,
            startedAt == null ? a.at() : startedAt,
            null,
            null,
            new Attempt(a.node(), a.at()));
      }
      if (event instanceof AttemptFailed f) {
        boolean interrupted = f.interrupted();
        return new Known(
            id,
            spec,
            parentId,
            timeout,
            CommandStatus.PENDING,
            attempts,
            interrupted ? failures : failures + 1,
            interrupted ? interruptions + 1 : interruptions,
            output,
            f.error(),
            null,
            cancelReason,
            children,
            createdAt,
            startedAt,
            f.retryAt(),
            null,
            null);
      }
      if (event instanceof Waiting w) {
        return new Known(
            id,
            spec,
            parentId,
            timeout,
            CommandStatus.PENDING,
            attempts,
            failures,
            interruptions,
            output,
            error,
            w.reason(),
            cancelReason,
            children,
            createdAt,
            startedAt,
            null,
            null,
            null);
      }
      if (event instanceof CancelRequested c) {
        return new Known(
            id,
            spec,
            parentId,
            timeout,
            status,
            attempts,
            failures,
            interruptions,
            output,
            error,
            waitingFor,
            c.reason(),
            children,
            createdAt,
            startedAt,
            nextAttemptAt,
            null,
            attempt);
      }
      if (event instanceof Succeeded s) {
        return finish(CommandStatus.SUCCEEDED, s.output(), null, s.children(), s.at());
      }
      if (event instanceof Failed f) {
        return finish(f.status(), null, f.error(), f.children(), f.at());
      }
      if (event instanceof Cancelled c) {
        return finish(CommandStatus.CANCELLED, null, c.reason(), c.children(), c.at());
      }
      throw new IllegalStateException("unexpected " + event + " in " + status);
    }

    private Known finish(
        CommandStatus end, JsonNode out, String err, List<Child> kids, Instant at) {
      return new Known(
          id,
          spec,
          parentId,
          timeout,
          end,
          attempts,
          failures,
          interruptions,
          out,
          err,
          null,
          cancelReason,
          kids.stream().map(Child::id).toList(),
          createdAt,
          startedAt,
          null,
          at,
          null);
    }

    /** Retries left for handler failures and timeouts. */
    public boolean canRetry() {
      return failures < spec.retries();
    }

    /** What the command waits for, in words, while it is not finished. */
    private String describeWait() {
      if (status.isFinal()) {
        return null;
      }
      if (cancelReason != null) {
        return "cancelling: " + cancelReason;
      }
      if (status == CommandStatus.SCHEDULED) {
        return "scheduled for " + spec.scheduledAt();
      }
      return waitingFor;
    }

    public CommandView view() {
      return new CommandView(
          id,
          spec.name(),
          status,
          spec.input(),
          spec.target(),
          attempts,
          spec.retries() + 1,
          output,
          error,
          describeWait(),
          spec.idempotencyKey(),
          parentId,
          children,
          createdAt,
          spec.scheduledAt(),
          startedAt,
          nextAttemptAt,
          finishedAt);
    }
  }
}
