package dev.orchestrator.node.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A node in a child JVM, started through the launcher ({@code dev.orchestrator.node.Main}, or the
 * fat jar) with {@code ORCH_*} environment variables, so that a test can kill it for real: {@link
 * #kill9()} is SIGKILL, {@link #stop()} is SIGTERM (graceful). Its stdout and stderr go to files
 * under {@code target/child-nodes/} for debugging.
 */
public final class ChildNode implements AutoCloseable {
  public static final Duration EXIT_TIMEOUT = Duration.ofSeconds(60);
  private static final Path LOG_DIR = Path.of("target", "child-nodes");

  private final String name;
  private final Process process;
  private final long startedNanos;
  private final Path dataDir;
  private final int httpPort;
  private final Path stdout;
  private final Path stderr;

  private ChildNode(
      String name,
      Process process,
      long startedNanos,
      Path dataDir,
      int httpPort,
      Path stdout,
      Path stderr) {
    this.name = name;
    this.process = process;
    this.startedNanos = startedNanos;
    this.dataDir = dataDir;
    this.httpPort = httpPort;
    this.stdout = stdout;
    this.stderr = stderr;
  }

  /**
   * Starts {@code dev.orchestrator.node.Main} on the test classpath, data in {@code dataDir}, admin
   * token {@link TestNodes#ADMIN_TOKEN}, and waits until it is ready.
   */
  public static ChildNode startMain(String name, Path dataDir) {
    ChildNode node =
        start(
            name,
            List.of("-cp", System.getProperty("java.class.path"), "dev.orchestrator.node.Main"),
            dataDir,
            Map.of("ORCH_ADMIN_TOKEN", TestNodes.ADMIN_TOKEN, "ORCH_EXAMPLES", "off"));
    node.awaitReady();
    return node;
  }

  /**
   * Starts {@code java -Xmx256m <javaArgs>} with every inherited {@code ORCH_*} variable removed,
   * then {@code ORCH_DATA_DIR}, free {@code ORCH_HTTP_PORT} / {@code ORCH_NODE_PORT} and {@code
   * env} set. Does not wait: see {@link #awaitReady()}.
   */
  public static ChildNode start(
      String name, List<String> javaArgs, Path dataDir, Map<String, String> env) {
    int httpPort = Ports.free();
    int nodePort = Ports.free();
    Map<String, String> variables = new HashMap<>();
    variables.put("ORCH_DATA_DIR", dataDir.toString());
    variables.put("ORCH_HTTP_PORT", Integer.toString(httpPort));
    variables.put("ORCH_NODE_PORT", Integer.toString(nodePort));
    variables.putAll(env);
    List<String> command = new ArrayList<>();
    command.add(java());
    command.add("-Xmx256m");
    command.addAll(javaArgs);
    try {
      Files.createDirectories(LOG_DIR);
      String stem = name + "-" + System.currentTimeMillis();
      Path out = LOG_DIR.resolve(stem + ".out").toAbsolutePath();
      Path err = LOG_DIR.resolve(stem + ".err").toAbsolutePath();
      ProcessBuilder builder =
          new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
      builder.environment().keySet().removeIf(key -> key.startsWith("ORCH_"));
      builder.environment().putAll(variables);
      long started = System.nanoTime();
      Process process = builder.start();
      return new ChildNode(name, process, started, dataDir, httpPort, out, err);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code java} of the JVM that runs the tests. */
  public static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * Waits until {@code /health/ready} answers 200 and returns the time from the process start to
   * then; fails at once if the process exits first.
   */
  public Duration awaitReady() {
    Api api = api(null);
    AtomicBoolean exited = new AtomicBoolean();
    Await.until(
        TestNodes.READY_TIMEOUT,
        () -> {
          if (!process.isAlive()) {
            exited.set(true);
            return;
          }
          int status = api.get("/health/ready").statusCode();
          if (status != 200) {
            throw new AssertionError(name + ": ready answered " + status);
          }
        });
    Duration elapsed = Duration.ofNanos(System.nanoTime() - startedNanos);
    if (exited.get()) {
      throw new AssertionError(
          name + " exited with " + process.exitValue() + " before it was ready" + describe());
    }
    return elapsed;
  }

  /** The gateway with {@link TestNodes#ADMIN_TOKEN}. */
  public Api api() {
    return api(TestNodes.ADMIN_TOKEN);
  }

  public Api api(String token) {
    return new Api(httpPort, token);
  }

  public Process process() {
    return process;
  }

  public Path dataDir() {
    return dataDir;
  }

  public String stdout() {
    return read(stdout);
  }

  public String stderr() {
    return read(stderr);
  }

  /** SIGKILL (on Linux, {@link Process#destroyForcibly()}): no shutdown hook runs. */
  public void kill9() {
    process.destroyForcibly();
    int exit = awaitExit();
    if (process.toHandle().isAlive()) {
      throw new AssertionError(name + " (pid " + process.pid() + ") still alive after SIGKILL");
    }
    if (exit != 128 + 9) {
      throw new AssertionError(name + " exited with " + exit + ", not by SIGKILL (137)");
    }
  }

  /** SIGTERM: the node shuts down gracefully; returns the exit code. */
  public int stop() {
    process.destroy();
    return awaitExit();
  }

  /** Waits (at most {@link #EXIT_TIMEOUT}) until the process has exited; returns its exit code. */
  public int awaitExit() {
    try {
      if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(name + " did not exit within " + EXIT_TIMEOUT + describe());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * Leaves nothing behind if a test failed half-way: kills the JVM if it still runs, then stops a
   * PostgreSQL it may have left running on its data directory.
   */
  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
      waitFor(process.toHandle());
    }
    for (ProcessHandle postgres : postgresOf(dataDir)) {
      postgres.destroy();
      if (!waitFor(postgres)) {
        postgres.destroyForcibly();
      }
    }
  }

  /**
   * Live processes whose command line names {@code dataDir}: the postmaster of a node on that data
   * directory (it is started with {@code -D <dataDir>/postgres}).
   */
  public static List<ProcessHandle> postgresOf(Path dataDir) {
    String dir = dataDir.toAbsolutePath().toString();
    return ProcessHandle.allProcesses()
        .filter(ProcessHandle::isAlive)
        .filter(
            p -> {
              String line = p.info().commandLine().orElse("");
              return line.contains("postgres") && line.contains(dir);
            })
        .toList();
  }

  /** Process id and command line, for messages. */
  public static String describe(ProcessHandle process) {
    return process.pid() + " " + process.info().commandLine().orElse("?");
  }

  private static boolean waitFor(ProcessHandle process) {
    try {
      process.onExit().get(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return false;
    }
  }

  private String describe() {
    return "; its output is in " + stdout + " and " + stderr + "; stderr ends with:\n" + tail();
  }

  private String tail() {
    String text = stderr();
    return text.length() <= 2000 ? text : text.substring(text.length() - 2000);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
