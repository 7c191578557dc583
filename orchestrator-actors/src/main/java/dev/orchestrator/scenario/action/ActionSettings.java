package dev.orchestrator.scenario.action;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The settings of scenario actions under {@code orchestrator.scenarios}.
 *
 * @param maxNestingDepth how deep {@code execute_scenario} runs may nest; a top run is at depth 0
 * @param maxErrorAttempts failures in a row of one action type before its actions are skipped; 0
 *     switches the error counters off
 * @param errorSkipPeriod how long such actions are skipped before one attempt is let through
 * @param askTimeout how long an action waits for one answer of an entity
 * @param pollInterval how often a waiting action looks again
 */
public record ActionSettings(
    int maxNestingDepth,
    int maxErrorAttempts,
    Duration errorSkipPeriod,
    Duration askTimeout,
    Duration pollInterval) {

  public ActionSettings {
    require(maxNestingDepth >= 1, "max-nesting-depth must be at least 1, not " + maxNestingDepth);
    require(
        maxErrorAttempts >= 0,
        "max-error-attempts must be 0 (off) or more, not " + maxErrorAttempts);
    require(positive(errorSkipPeriod), "error-skip-period must be positive");
    require(positive(askTimeout), "actions.ask-timeout must be positive");
    require(positive(pollInterval), "actions.poll-interval must be positive");
  }

  public static ActionSettings of(ActorSystem<?> system) {
    return from(system.settings().config().getConfig("orchestrator.scenarios"));
  }

  /** Reads the settings from the {@code orchestrator.scenarios} subtree. */
  public static ActionSettings from(Config c) {
    return new ActionSettings(
        c.getInt("max-nesting-depth"),
        c.getInt("max-error-attempts"),
        c.getDuration("error-skip-period"),
        c.getDuration("actions.ask-timeout"),
        c.getDuration("actions.poll-interval"));
  }

  /** Whether the per-action-type error counters are on. */
  public boolean errorCountersOn() {
    return maxErrorAttempts > 0;
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  private static void require(boolean ok, String problem) {
    if (!ok) {
      throw new IllegalArgumentException("orchestrator.scenarios." + problem);
    }
  }
}
