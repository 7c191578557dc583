package dev.orchestrator.cluster.liveness;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code orchestrator.liveness}: how often the node checks its own lock's session, how often an
 * unreachable member's lock is looked up, the timeouts of those database calls, and the sweep that
 * proves a member dead before the failure detector calls it unreachable (see {@link DeathProver}).
 */
public record LivenessSettings(
    Duration lockCheckInterval,
    Duration probeInterval,
    Duration queryTimeout,
    Duration connectTimeout,
    Duration warnEvery,
    boolean sweep,
    Duration sweepInterval,
    Duration sweepFreeFor,
    Duration sweepServerUpFor) {

  public static LivenessSettings from(Config config) {
    Config c = config.getConfig("orchestrator.liveness");
    return new LivenessSettings(
        positive(c, "lock-check-interval"),
        positive(c, "probe-interval"),
        positive(c, "query-timeout"),
        positive(c, "connect-timeout"),
        positive(c, "warn-every"),
        c.getBoolean("sweep"),
        positive(c, "sweep-interval"),
        positive(c, "sweep-free-for"),
        positive(c, "sweep-server-up-for"));
  }

  private static Duration positive(Config c, String path) {
    Duration value = c.getDuration(path);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          "orchestrator.liveness." + path + " must be a positive duration, not " + value);
    }
    return value;
  }
}
