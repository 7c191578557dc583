package dev.orchestrator.bench.commands;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the node JVM uses, read from outside: CPU time and RSS from /proc/&lt;pid&gt;/stat and
 * /status (as {@link Machine} reads /proc/stat for the machine), the Java heap with {@code jcmd
 * <pid> GC.heap_info} (the JDK's own tool beside the java that runs both JVMs).
 */
public final class NodeProcess {
  private static final Pattern HEAP =
      Pattern.compile("(?:heap|Heap)\\s+total\\s+(\\d+)K,\\s+used\\s+(\\d+)K");

  private final long pid;
  private final long ticksPerSecond;

  public NodeProcess(long pid) {
    this.pid = pid;
    this.ticksPerSecond = clockTicks();
  }

  /** user + system CPU of the whole node process (all threads) in nanoseconds, or -1. */
  public long cpuNanos() {
    return cpuNanos(pid, ticksPerSecond);
  }

  /**
   * user + system CPU in nanoseconds of {@code parent} and of its live child processes (a
   * PostgreSQL postmaster and its backends), or -1 if {@code parent} is gone. A backend that ended
   * in between is not counted (the bench's connections stay open).
   */
  public static long treeCpuNanos(long parent) {
    long ticks = clockTicks();
    long total = cpuNanos(parent, ticks);
    if (total < 0) {
      return -1;
    }
    try (java.util.stream.Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : (Iterable<Path>) procs::iterator) {
        String name = proc.getFileName().toString();
        if (name.chars().allMatch(Character::isDigit) && parentOf(proc) == parent) {
          total += Math.max(0, cpuNanos(Long.parseLong(name), ticks));
        }
      }
    } catch (IOException e) {
      return -1;
    }
    return total;
  }

  private static long parentOf(Path proc) {
    try {
      String stat = Files.readString(proc.resolve("stat"));
      return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+")[1]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static long cpuNanos(long pid, long ticksPerSecond) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
      long utime = Long.parseLong(f[11]); // field 14
      long stime = Long.parseLong(f[12]); // field 15
      return (utime + stime) * 1_000_000_000L / ticksPerSecond;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The node's CPU use in cores over the next {@code seconds} (waits that long), or NaN. */
  public double cores(int seconds) {
    long c0 = cpuNanos();
    long w0 = System.nanoTime();
    Machine.parkUntil(w0 + TimeUnit.SECONDS.toNanos(seconds));
    long c1 = cpuNanos();
    long w1 = System.nanoTime();
    return c0 < 0 || c1 < 0 ? Double.NaN : (double) (c1 - c0) / (w1 - w0);
  }

  /** Resident set size in KiB (VmRSS), or -1. */
  public long rssKib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone
    }
    return -1;
  }

  /** Heap used and committed in KiB from {@code jcmd GC.heap_info}, or null (with the reason printed). */
  public long[] heapKib() {
    String out = jcmd("GC.heap_info");
    if (out == null) {
      return null;
    }
    Matcher m = HEAP.matcher(out);
    if (m.find()) {
      return new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(1))};
    }
    System.out.println("    (jcmd GC.heap_info: no 'heap total ..K, used ..K' line in: "
        + out.lines().limit(3).reduce("", (a, b) -> a + " | " + b) + ")");
    return null;
  }

  /** A full GC in the node ({@code jcmd GC.run}); afterwards the heap used is the live set. */
  public boolean fullGc() {
    return jcmd("GC.run") != null;
  }

  private String jcmd(String command) {
    Path jcmd = Path.of(Machine.java()).resolveSibling("jcmd");
    try {
      Process p =
          new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return null;
      }
      if (p.exitValue() != 0) {
        System.out.println("    (jcmd " + command + " exited " + p.exitValue() + ": " + out.trim() + ")");
        return null;
      }
      return out;
    } catch (IOException e) {
      System.out.println("    (jcmd " + command + ": " + e.getMessage() + ")");
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      p.waitFor(5, TimeUnit.SECONDS);
      long t = Long.parseLong(out);
      return t > 0 ? t : 100;
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
