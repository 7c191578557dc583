package dev.orchestrator.command;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code orchestrator.commands} settings.
 *
 * @param defaultTimeout the timeout of an attempt when the command names none
 * @param waitRecheck how often a command that waits for a node with its role looks again
 * @param maxInterruptions attempts lost to crashed nodes before the command fails (they do not use
 *     up its retries)
 * @param idleAfterFinish how long a finished command stays in memory after its last request
 * @param childSubmitTimeout how long a chained child may take to answer its submit before it is
 *     submitted again
 * @param reattachTimeout how long an entity restarted while its attempt runs waits for the executor
 *     of that attempt to confirm it still runs it, before it counts the attempt as interrupted
 */
public record CommandSettings(
    Duration defaultTimeout,
    Duration waitRecheck,
    int maxInterruptions,
    Duration idleAfterFinish,
    Duration childSubmitTimeout,
    Duration reattachTimeout) {

  public static CommandSettings of(ActorSystem<?> system) {
    Config c = system.settings().config().getConfig("orchestrator.commands");
    return new CommandSettings(
        c.getDuration("default-timeout"),
        c.getDuration("wait-recheck"),
        c.getInt("max-interruptions"),
        c.getDuration("idle-after-finish"),
        c.getDuration("child-submit-timeout"),
        c.getDuration("reattach-timeout"));
  }
}
