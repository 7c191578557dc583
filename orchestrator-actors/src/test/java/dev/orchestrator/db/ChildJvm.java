package dev.orchestrator.db;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A JVM running {@link EmbeddedDatabaseChildMain} on this test's classpath, and its output. */
final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> seen = new ArrayList<>();

  private ChildJvm(Process process) {
    this.process = process;
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("(output lost: " + e + ")");
              }
            },
            "child-jvm-output");
    reader.setDaemon(true);
    reader.start();
  }

  static ChildJvm start(String mode, Path dataDir) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
                java,
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                EmbeddedDatabaseChildMain.class.getName(),
                mode,
                dataDir.toString())
            .redirectErrorStream(true);
    return new ChildJvm(builder.start());
  }

  /** Waits for a line that starts with {@code prefix} and returns it; fails at the deadline. */
  String awaitLine(String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
      if (line == null) {
        throw new AssertionError(
            "no line starting with '" + prefix + "' within " + timeout + "; output: " + output());
      }
      seen.add(line);
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  /** Waits for the JVM to exit and returns its status; fails at the deadline. */
  int awaitExit(Duration timeout) throws InterruptedException {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("the child JVM did not exit within " + timeout + "; " + output());
    }
    return process.exitValue();
  }

  ProcessHandle handle() {
    return process.toHandle();
  }

  String output() {
    List<String> all = new ArrayList<>(seen);
    lines.drainTo(all);
    seen.clear();
    seen.addAll(all);
    return String.join("\n", all);
  }

  /** Kills the JVM as {@code kill -9} would, so that no shutdown hook runs. */
  void kill(Duration timeout) throws InterruptedException {
    process.destroyForcibly();
    awaitExit(timeout);
  }

  /** Asks a JVM still running to stop (stdin closes), and kills it if it does not. */
  @Override
  public void close() throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      process.destroyForcibly();
    }
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
