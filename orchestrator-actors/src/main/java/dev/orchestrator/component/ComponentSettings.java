package dev.orchestrator.component;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code orchestrator.components} settings.
 *
 * @param historySize state changes and health answers kept per component
 * @param unreachableAfterMissedPolls failed polls in a row before a component is unreachable
 * @param breakerFailuresToOpen failed driver calls in a row that open the circuit breaker
 * @param breakerInitialBackoff how long an opened breaker waits before its first probe
 * @param breakerMaxBackoff the longest wait; the backoff doubles after each failed probe
 * @param simulated the in-process component of the {@code simulated} driver
 */
public record ComponentSettings(
    int historySize,
    int unreachableAfterMissedPolls,
    int breakerFailuresToOpen,
    Duration breakerInitialBackoff,
    Duration breakerMaxBackoff,
    Simulated simulated) {

  /**
   * @param transitionTime how long a transitional state lasts
   * @param answerTime how long a call takes to answer
   * @param slowFactor how many times longer both take when the fault is {@code slow}
   * @param timeout when a call to an {@code unresponsive} component fails
   * @param announceChanges whether the component tells its entity when a transition ends (as a
   *     component that sends its state changes would), or is learned of by polling only
   */
  public record Simulated(
      Duration transitionTime,
      Duration answerTime,
      int slowFactor,
      Duration timeout,
      boolean announceChanges) {}

  public ComponentSettings {
    require(historySize >= 1, "history-size must be at least 1");
    require(unreachableAfterMissedPolls >= 1, "unreachable-after-missed-polls must be at least 1");
    require(breakerFailuresToOpen >= 1, "breaker.failures-to-open must be at least 1");
    require(
        !breakerInitialBackoff.isNegative() && !breakerInitialBackoff.isZero(),
        "breaker.initial-backoff must be positive");
    require(
        breakerMaxBackoff.compareTo(breakerInitialBackoff) >= 0,
        "breaker.max-backoff must not be shorter than breaker.initial-backoff");
    require(simulated.slowFactor() >= 1, "simulated.slow-factor must be at least 1");
  }

  public static ComponentSettings of(ActorSystem<?> system) {
    return of(system.settings().config().getConfig("orchestrator.components"));
  }

  public static ComponentSettings of(Config c) {
    return new ComponentSettings(
        c.getInt("history-size"),
        c.getInt("unreachable-after-missed-polls"),
        c.getInt("breaker.failures-to-open"),
        c.getDuration("breaker.initial-backoff"),
        c.getDuration("breaker.max-backoff"),
        new Simulated(
            c.getDuration("simulated.transition-time"),
            c.getDuration("simulated.answer-time"),
            c.getInt("simulated.slow-factor"),
            c.getDuration("simulated.timeout"),
            c.getBoolean("simulated.announce-changes")));
  }

  /** The backoff after {@code previous}: doubled, at most the maximum. */
  public Duration nextBackoff(Duration previous) {
    if (previous == null) {
      return breakerInitialBackoff;
    }
    Duration doubled = previous.multipliedBy(2);
    return doubled.compareTo(breakerMaxBackoff) > 0 ? breakerMaxBackoff : doubled;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("orchestrator.components." + message);
    }
  }
}
