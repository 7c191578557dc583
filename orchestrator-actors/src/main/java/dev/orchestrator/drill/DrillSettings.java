package dev.orchestrator.drill;

import akka.actor.typed.ActorSystem;
import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code orchestrator.drills} settings, checked when the node starts.
 *
 * @param deadline a drill not recovered by then ends FAILED with the stages it reached
 * @param commandInterval how often the coordinator submits a noop durable command
 * @param singletonPollInterval how often it asks the singleton where it runs
 * @param askTimeout how long one ask (a submit, a read, the singleton, an agent) may take
 * @param verifyTimeout after recovery, how long acknowledged commands have to be found SUCCEEDED
 */
public record DrillSettings(
    Duration deadline,
    Duration commandInterval,
    Duration singletonPollInterval,
    Duration askTimeout,
    Duration verifyTimeout) {

  public DrillSettings {
    positive("deadline", deadline);
    positive("command-interval", commandInterval);
    positive("singleton-poll-interval", singletonPollInterval);
    positive("ask-timeout", askTimeout);
    positive("verify-timeout", verifyTimeout);
  }

  public static DrillSettings of(ActorSystem<?> system) {
    Config c = system.settings().config().getConfig("orchestrator.drills");
    return new DrillSettings(
        c.getDuration("deadline"),
        c.getDuration("command-interval"),
        c.getDuration("singleton-poll-interval"),
        c.getDuration("ask-timeout"),
        c.getDuration("verify-timeout"));
  }

  /**
   * How long after its start a drill still marked RUNNING is taken for one whose coordinator died:
   * its deadline, its verification and a minute of slack.
   */
  public Duration abandonedAfter() {
    return deadline.plus(verifyTimeout).plus(askTimeout).plusMinutes(1);
  }

  private static void positive(String key, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          "orchestrator.drills." + key + " must be a positive duration, not " + value);
    }
  }
}
