package dev.orchestrator.protocol.command;

import dev.orchestrator.protocol.JsonSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Exponential backoff between attempts: the n-th retry waits {@code min(max, initial *
 * factor^(n-1))}, drawn uniformly from its upper half ("equal jitter"), so that retries of many
 * commands spread out instead of hammering a recovering dependency at the same instant.
 */
public record Backoff(Duration initial, Duration max, double factor) implements JsonSerializable {
  private static final Duration DEFAULT_INITIAL = Duration.ofMillis(500);
  private static final Duration DEFAULT_MAX = Duration.ofSeconds(30);
  private static final double DEFAULT_FACTOR = 2.0;

  /** 500ms, doubling, at most 30s. */
  public static final Backoff DEFAULT = new Backoff(DEFAULT_INITIAL, DEFAULT_MAX, DEFAULT_FACTOR);

  public Backoff {
    initial = initial == null ? DEFAULT_INITIAL : initial;
    max = max == null ? DEFAULT_MAX : max;
    factor = factor == 0 ? DEFAULT_FACTOR : factor;
  }

  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (initial.isNegative() || initial.isZero()) {
      problems.add("backoff.initial must be positive");
    }
    if (max.compareTo(initial) < 0) {
      problems.add("backoff.max must not be shorter than backoff.initial");
    }
    if (max.compareTo(Duration.ofDays(1)) > 0) {
      problems.add("backoff.max must be at most 24h");
    }
    if (!(factor >= 1.0 && factor <= 10.0)) {
      problems.add("backoff.factor must be between 1 and 10");
    }
    return problems;
  }

  /**
   * The delay before retry number {@code retry} (1 for the first retry).
   *
   * @param unit a uniformly random number in [0, 1), the jitter
   */
  public Duration delay(int retry, double unit) {
    double ceiling = initial.toMillis() * Math.pow(factor, Math.max(0, retry - 1));
    long capped = (long) Math.min(ceiling, max.toMillis());
    long half = capped / 2;
    return Duration.ofMillis(half + (long) (unit * (capped - half)));
  }
}
