package dev.orchestrator.command;

import dev.orchestrator.protocol.command.CommandSpec;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The id a submitted command gets: derived from its idempotency key, so that submitting the same
 * key again reaches the same {@link CommandEntity} (which answers the existing command), or random
 * without one.
 */
public final class CommandIds {
  private CommandIds() {}

  public static String of(CommandSpec spec) {
    return spec.idempotencyKey() == null
        ? UUID.randomUUID().toString()
        : forIdempotencyKey(spec.idempotencyKey());
  }

  public static String forIdempotencyKey(String idempotencyKey) {
    return UUID.nameUUIDFromBytes(
            ("idempotency:" + idempotencyKey).getBytes(StandardCharsets.UTF_8))
        .toString();
  }
}
