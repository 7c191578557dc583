package dev.orchestrator.lease;

import java.time.Duration;

/**
 * Tells from the gaps between the ticks of a fixed-delay timer whether this process was paused
 * (SIGSTOP, a long GC pause, a frozen VM) long enough for the cluster to have replaced it, and when
 * the cluster has confirmed it since. A gap longer than {@code threshold} makes the node <em>
 * suspect</em>; it stays suspect until the cluster view has confirmed it (this node Up, no member
 * unreachable) at every tick for {@code confirmAfter}. Times are {@link System#nanoTime()} values.
 * Not thread-safe: the caller synchronizes.
 */
final class PauseWatch {
  /** What a tick changed. */
  enum Change {
    NONE,
    SUSPECT,
    CONFIRMED
  }

  private final long thresholdNanos;
  private final long confirmAfterNanos;
  private long lastTick;
  private boolean suspect;
  private long confirmedSince;
  private long pausedNanos;

  PauseWatch(Duration threshold, Duration confirmAfter) {
    this.thresholdNanos = threshold.toNanos();
    this.confirmAfterNanos = confirmAfter.toNanos();
  }

  /**
   * One tick of the timer at {@code now}; {@code confirmed}: whether the cluster view confirms this
   * node at this moment.
   */
  Change tick(long now, boolean confirmed) {
    long gap = lastTick == 0 ? 0 : now - lastTick;
    lastTick = now;
    if (gap > thresholdNanos) {
      boolean was = suspect;
      suspect = true;
      confirmedSince = 0;
      pausedNanos = gap;
      return was ? Change.NONE : Change.SUSPECT;
    }
    if (!suspect) {
      return Change.NONE;
    }
    if (!confirmed) {
      confirmedSince = 0;
      return Change.NONE;
    }
    if (confirmedSince == 0) {
      confirmedSince = now;
    }
    if (now - confirmedSince >= confirmAfterNanos) {
      suspect = false;
      return Change.CONFIRMED;
    }
    return Change.NONE;
  }

  /**
   * Whether {@code now} is within the threshold of the last tick: a value read later than that may
   * have been read after a pause that the next tick has yet to notice.
   */
  boolean recent(long now) {
    return lastTick == 0 || now - lastTick <= thresholdNanos;
  }

  /** Clears the suspicion at once (this node holds the singleton's lease again). */
  boolean clear() {
    boolean was = suspect;
    suspect = false;
    confirmedSince = 0;
    return was;
  }

  boolean suspect() {
    return suspect;
  }

  /** The gap that made this node suspect. */
  Duration paused() {
    return Duration.ofNanos(pausedNanos);
  }
}
