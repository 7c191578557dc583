package dev.orchestrator.singleton;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The global {@code max_concurrent_scenarios}: the top-level runs under way as the read side last
 * showed them, plus the runs admitted since that the read side may not show yet. Conservative: a
 * run that ended a moment ago may still count until the next read.
 */
final class GlobalGate {
  /** How long an admission counts by itself, before the read side is trusted to show it. */
  static final Duration RECENT = Duration.ofSeconds(10);

  private final int max;
  private final Map<String, Instant> recent = new ConcurrentHashMap<>();
  private final Map<String, Instant> ended = new ConcurrentHashMap<>();
  private volatile Set<String> running = Set.of();

  GlobalGate(int max) {
    this.max = max;
  }

  void sync(Set<String> runningNow) {
    Instant cutoff = Instant.now().minus(RECENT);
    recent.values().removeIf(at -> at.isBefore(cutoff));
    ended.values().removeIf(at -> at.isBefore(cutoff));
    running = Set.copyOf(runningNow);
  }

  int count() {
    Set<String> all = new HashSet<>(running);
    all.addAll(recent.keySet());
    all.removeAll(ended.keySet());
    return all.size();
  }

  boolean full() {
    return count() >= max;
  }

  int max() {
    return max;
  }

  void admitted(String runId) {
    recent.put(runId, Instant.now());
  }

  /** Run {@code runId} ended: it no longer counts, even where the read side still lists it. */
  void ended(String runId) {
    recent.remove(runId);
    ended.put(runId, Instant.now());
  }
}
