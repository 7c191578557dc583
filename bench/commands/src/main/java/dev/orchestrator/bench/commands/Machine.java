package dev.orchestrator.bench.commands;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Facts about this machine, and waiting for it to go quiet between phases. */
public final class Machine {
  private Machine() {}

  public static int nproc() {
    return Runtime.getRuntime().availableProcessors();
  }

  public static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).trim();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: leave it out
    }
    return "unknown CPU";
  }

  public static String memTotal() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
          return String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return "unknown memory";
  }

  /** The first line of {@code java -version} for the java that runs this bench (and the node). */
  public static String javaVersionLine(String java) {
    try {
      Process p = new ProcessBuilder(java, "-version").redirectErrorStream(true).start();
      String first;
      try (BufferedReader r =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        first = r.readLine();
        while (r.readLine() != null) {
          // drain
        }
      }
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
      return first == null ? "unknown" : first.trim();
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** "load 1.23 0.98 0.75" from /proc/loadavg (1, 5, 15 min), or "". */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return "load " + f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "";
    }
  }

  /** CPU use so far: the machine's busy and total jiffies, and this JVM's CPU time. */
  public record Cpu(long busy, long total, long selfNanos, long wallNanos) {
    public static Cpu now() {
      long[] t = cpuTimes();
      long self =
          ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
      return new Cpu(t == null ? -1 : t[0], t == null ? -1 : t[1], self, System.nanoTime());
    }

    /** This JVM's CPU seconds since {@code before} (NaN when unknown). */
    public double selfSecondsSince(Cpu before) {
      return selfNanos >= 0 && before.selfNanos >= 0 ? (selfNanos - before.selfNanos) / 1e9 : Double.NaN;
    }

    /** "machine CPU 93% busy over 9.8 s (of 2 CPUs); this JVM used 7.1 CPU-s". */
    public String since(Cpu before) {
      double wall = (wallNanos - before.wallNanos) / 1e9;
      StringBuilder sb = new StringBuilder();
      if (busy >= 0 && before.busy >= 0 && total > before.total) {
        sb.append(String.format(Locale.ROOT, "machine CPU %.0f%% busy over %.1f s (%d CPUs)",
            100.0 * (busy - before.busy) / (total - before.total), wall, nproc()));
      }
      if (selfNanos >= 0 && before.selfNanos >= 0) {
        sb.append(String.format(Locale.ROOT, "; bench JVM used %.1f CPU-s", (selfNanos - before.selfNanos) / 1e9));
      }
      return sb.toString();
    }
  }

  /** Busy and total jiffies of all CPUs from /proc/stat, or null when unreadable. */
  private static long[] cpuTimes() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
      String[] f = lines.get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + (f.length > 5 ? Long.parseLong(f[5]) : 0);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * Waits until the whole machine is below {@code busyFraction} CPU use over a 500 ms window (so
   * the previous phase's background work — projections, autovacuum, JIT — does not land on the next
   * one), at most {@code maxSeconds}. Returns a short description of what happened.
   */
  public static String settle(int maxSeconds, double busyFraction) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(maxSeconds);
    long start = System.nanoTime();
    double last = Double.NaN;
    while (true) {
      long[] a = cpuTimes();
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
      long[] b = cpuTimes();
      if (a == null || b == null) {
        return "no /proc/stat; waited 0.5 s";
      }
      long dt = b[1] - a[1];
      last = dt <= 0 ? 0 : (double) (b[0] - a[0]) / dt;
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      if (last < busyFraction) {
        return String.format(
            Locale.ROOT, "quiet after %.1f s (CPU %.0f%%, %s)", waitedMs / 1000.0, last * 100, loadAverage());
      }
      if (System.nanoTime() > deadline) {
        return String.format(
            Locale.ROOT,
            "still %.0f%% busy after %.0f s (%s), going on: OTHER LOAD ON THE MACHINE",
            last * 100,
            waitedMs / 1000.0,
            loadAverage());
      }
    }
  }

  /** Sleeps until {@code System.nanoTime()} reaches {@code targetNanos}. */
  public static void parkUntil(long targetNanos) {
    while (true) {
      long left = targetNanos - System.nanoTime();
      if (left <= 0) {
        return;
      }
      LockSupport.parkNanos(left);
    }
  }
}
