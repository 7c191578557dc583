package dev.orchestrator.bench.commands;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One orchestrator node in a child JVM ({@code java -jar orchestrator.jar}), in {@code cluster} mode
 * against the bench's PostgreSQL or in {@code dev} mode with its own, listening on 127.0.0.1 only.
 * Its output goes to a log file.
 */
public final class OrchestratorNode implements AutoCloseable {
  private final Process process;
  private final int httpPort;
  private final String token;
  private final Path log;
  private final Path dataDir;

  private OrchestratorNode(Process process, int httpPort, String token, Path log, Path dataDir) {
    this.process = process;
    this.httpPort = httpPort;
    this.token = token;
    this.log = log;
    this.dataDir = dataDir;
  }

  public static OrchestratorNode start(Path jar, String javaOpts, Database db, Path logDir)
      throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("ORCH_MODE", "cluster");
    env.put("ORCH_DB_URL", db.jdbcUrl("postgres"));
    env.put("ORCH_DB_USER", Database.USER);
    env.put("ORCH_DB_PASSWORD", "");
    return launch(jar, javaOpts, env, logDir);
  }

  /**
   * A node in {@code dev} mode: its own embedded PostgreSQL in a fresh data directory (deleted on
   * {@link #close()}), with {@code extraEnv} (such as {@code ORCH_EXAMPLES=off}) on top.
   */
  public static OrchestratorNode startDev(
      Path jar, String javaOpts, Map<String, String> extraEnv, Path logDir) throws IOException {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("ORCH_MODE", "dev");
    env.putAll(extraEnv);
    return launch(jar, javaOpts, env, logDir);
  }

  private static OrchestratorNode launch(
      Path jar, String javaOpts, Map<String, String> modeEnv, Path logDir) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException("orchestrator jar not found: " + jar);
    }
    int httpPort = freePort();
    int nodePort = freePort();
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    String token = "bench-" + HexFormat.of().formatHex(random);
    Files.createDirectories(logDir);
    // Under the bench's output directory, so that even a killed run leaves nothing outside target/.
    Path dataDir = Files.createTempDirectory(logDir, "node-data-");
    Path log = logDir.resolve("node-" + System.currentTimeMillis() + ".log");

    List<String> command = new ArrayList<>();
    command.add(Machine.java());
    for (String opt : javaOpts.trim().split("\\s+")) {
      if (!opt.isEmpty()) {
        command.add(opt);
      }
    }
    command.add("-jar");
    command.add(jar.toString());
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(log.toFile()));
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("ORCH_"));
    env.putAll(modeEnv);
    env.put("ORCH_HTTP_HOST", "127.0.0.1");
    env.put("ORCH_HTTP_PORT", Integer.toString(httpPort));
    env.put("ORCH_NODE_HOST", "127.0.0.1");
    env.put("ORCH_NODE_PORT", Integer.toString(nodePort));
    if ("cluster".equals(modeEnv.get("ORCH_MODE"))) {
      env.put("ORCH_SEED_NODES", "127.0.0.1:" + nodePort); // dev mode joins itself
    }
    env.put("ORCH_ADMIN_TOKEN", token);
    env.put("ORCH_DATA_DIR", dataDir.toString());
    Process p = pb.start();
    return new OrchestratorNode(p, httpPort, token, log, dataDir);
  }

  /** Polls {@code GET /health/ready} until 200; fails at once if the process exits first. */
  public void awaitReady(Duration timeout) throws IOException, InterruptedException {
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    HttpRequest ready =
        HttpRequest.newBuilder(baseUri().resolve("/health/ready"))
            .timeout(Duration.ofSeconds(2))
            .GET()
            .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    int lastStatus = -1;
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException(
            "the orchestrator node exited with " + process.exitValue() + " before it was ready; "
                + "log " + log + ":\n" + tail(40));
      }
      try {
        HttpResponse<Void> r = client.send(ready, HttpResponse.BodyHandlers.discarding());
        lastStatus = r.statusCode();
        if (lastStatus == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IOException(
        "the orchestrator node was not ready after " + timeout.toSeconds() + " s (last status "
            + lastStatus + "); log " + log + ":\n" + tail(40));
  }

  public URI baseUri() {
    return URI.create("http://127.0.0.1:" + httpPort);
  }

  public String token() {
    return token;
  }

  public long pid() {
    return process.pid();
  }

  public boolean alive() {
    return process.isAlive();
  }

  public Path log() {
    return log;
  }

  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | RuntimeException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGTERM, up to 20 s for a graceful leave, then SIGKILL. */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(10, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      Database.deleteTree(dataDir);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
