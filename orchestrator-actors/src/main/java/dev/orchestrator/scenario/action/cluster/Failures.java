package dev.orchestrator.scenario.action.cluster;

import akka.pattern.StatusReply;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Turns failures into words for run reports. */
final class Failures {
  private Failures() {}

  static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** An entity's refusal as it is; an ask timeout or another fault in a few words. */
  static String reason(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof StatusReply.ErrorMessage) {
      return t.getMessage();
    }
    if (t instanceof TimeoutException) {
      return "no answer in time (the node may be starting or a shard moving)";
    }
    return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
  }

  static boolean refused(Throwable failure) {
    return unwrap(failure) instanceof StatusReply.ErrorMessage;
  }

  /** Time left until {@code deadline}, in whole milliseconds; zero or negative when it passed. */
  static Duration left(Instant deadline) {
    return Duration.ofMillis(Duration.between(Instant.now(), deadline).toMillis());
  }
}
