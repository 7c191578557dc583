package dev.orchestrator.protocol.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.Ids;
import dev.orchestrator.protocol.JsonSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a client asks for: run handler {@code name} on {@code input}, on a node with role {@code
 * target}, not before {@code scheduledAt}, each attempt within {@code timeout}, retried {@code
 * retries} times with {@code backoff}; then start {@code onSuccess} (which receives the output as
 * input unless it has its own), {@code onFailure} or {@code onCancel}.
 */
public record CommandSpec(
    String name,
    JsonNode input,
    String target,
    Instant scheduledAt,
    Duration timeout,
    int retries,
    Backoff backoff,
    String idempotencyKey,
    CommandSpec onSuccess,
    CommandSpec onFailure,
    CommandSpec onCancel)
    implements JsonSerializable {

  public static final String DEFAULT_TARGET = "worker";
  public static final int MAX_RETRIES = 100;
  public static final int MAX_CHAIN_DEPTH = 8;
  public static final int MAX_IDEMPOTENCY_KEY = 200;
  public static final Duration MAX_TIMEOUT = Duration.ofHours(24);
  private static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  public CommandSpec {
    // JSON null is no input: Jackson reads a null JsonNode back as NullNode, and a spec must mean
    // the same after the journal or the wire (an onSuccess child receives the parent's output).
    input = input == null || input.isNull() || input.isMissingNode() ? null : input;
    target = target == null ? DEFAULT_TARGET : target;
    backoff = backoff == null ? Backoff.DEFAULT : backoff;
  }

  /** Everything wrong with this spec; empty when it is acceptable. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    collect(problems, "", 0);
    return problems;
  }

  private void collect(List<String> problems, String prefix, int depth) {
    if (name == null || name.isEmpty()) {
      problems.add(prefix + "name is required (the handler's name, such as noop or send_email)");
    } else if (!NAME.matcher(name).matches()) {
      problems.add(
          prefix
              + "name '"
              + name
              + "' must be lower-case letters, digits and '_', starting with a letter");
    }
    if (!ROLE.matcher(target).matches()) {
      problems.add(
          prefix
              + "target '"
              + target
              + "' is not a node role; use lower-case letters, digits and '-', such as worker");
    }
    if (timeout != null
        && (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0)) {
      problems.add(prefix + "timeout must be between 1ms and 24h");
    }
    if (retries < 0 || retries > MAX_RETRIES) {
      problems.add(prefix + "retries must be between 0 and " + MAX_RETRIES + ", not " + retries);
    }
    backoff.problems().forEach(p -> problems.add(prefix + p));
    if (idempotencyKey != null) {
      if (idempotencyKey.isEmpty() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY) {
        problems.add(
            prefix + "idempotencyKey must have 1 to " + MAX_IDEMPOTENCY_KEY + " characters");
      }
      if (!prefix.isEmpty()) {
        problems.add(prefix + "idempotencyKey is only for the submitted command, not its chain");
      }
    }
    if (depth >= MAX_CHAIN_DEPTH && (onSuccess != null || onFailure != null || onCancel != null)) {
      problems.add(prefix + "chains may be at most " + MAX_CHAIN_DEPTH + " levels deep");
      return;
    }
    if (onSuccess != null) {
      onSuccess.collect(problems, prefix + "onSuccess.", depth + 1);
    }
    if (onFailure != null) {
      onFailure.collect(problems, prefix + "onFailure.", depth + 1);
    }
    if (onCancel != null) {
      onCancel.collect(problems, prefix + "onCancel.", depth + 1);
    }
  }

  /** Ids are chosen by the system: letters, digits, '-', '.', at most {@link Ids#MAX_LENGTH}. */
  public static String idProblem(String id) {
    return Ids.problem("command id", id);
  }
}
