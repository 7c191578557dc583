package dev.orchestrator.bench.commands;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Percentiles (nearest rank) of a set of latencies in milliseconds. */
public record Stats(int count, double p50, double p99, double max, double mean) {
  public static final Stats EMPTY = new Stats(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

  public static Stats of(double[] values, int count) {
    if (count == 0) {
      return EMPTY;
    }
    double[] v = Arrays.copyOf(values, count);
    Arrays.sort(v);
    double sum = 0;
    for (double d : v) {
      sum += d;
    }
    return new Stats(count, rank(v, 0.50), rank(v, 0.99), v[count - 1], sum / count);
  }

  private static double rank(double[] sorted, double q) {
    int idx = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }

  public boolean present() {
    return count > 0;
  }

  /** "p50 1.2 / p99 3.4 / max 9.9 ms (n=6000)". */
  public String describe() {
    if (count == 0) {
      return "n/a";
    }
    return String.format(
        Locale.ROOT, "p50 %s / p99 %s / max %s ms (n=%d)", ms(p50), ms(p99), ms(max), count);
  }

  public static String ms(double v) {
    if (Double.isNaN(v)) {
      return "n/a";
    }
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
  }

  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("count", count);
    if (count > 0) {
      m.put("p50_ms", p50);
      m.put("p99_ms", p99);
      m.put("max_ms", max);
      m.put("mean_ms", mean);
    }
    return m;
  }
}
