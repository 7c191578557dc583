package dev.orchestrator.bench.failover;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.bench.commands.Api;
import dev.orchestrator.bench.commands.ChildPids;
import dev.orchestrator.bench.commands.Machine;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One PostgreSQL ({@code java -jar orchestrator.jar postgres}: the embedded binaries with fsync on)
 * and N node JVMs in cluster mode, every node a seed, each on fixed ports and its own data
 * directory so that a killed node is started again as the same member address. The nodes run on
 * 127.0.0.1 or each in a network namespace ({@link Placement}). Output of each goes to a log file
 * under the results directory.
 */
final class LocalCluster implements AutoCloseable {
  private static final Duration READY = Duration.ofSeconds(180);

  private final Path jar;
  private final Placement placement;
  private final String javaOpts;
  private final Path out;
  private final ChildPids pids;
  private final String token;
  private final int[] httpPorts;
  private final int[] nodePorts;
  private final Process[] nodes;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private Process postgres;
  private int pgPort;

  LocalCluster(Path jar, String javaOpts, int size, Path out, ChildPids pids) throws IOException {
    this(jar, Placement.loopback(), javaOpts, size, out, pids);
  }

  LocalCluster(Path jar, Placement placement, String javaOpts, int size, Path out, ChildPids pids)
      throws IOException {
    this.jar = jar;
    this.placement = placement;
    this.javaOpts = javaOpts;
    this.out = out;
    this.pids = pids;
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    this.token = "bench-" + HexFormat.of().formatHex(random);
    this.httpPorts = new int[size];
    this.nodePorts = new int[size];
    this.nodes = new Process[size];
    for (int i = 0; i < size; i++) {
      httpPorts[i] = freePort();
      nodePorts[i] = freePort();
    }
  }

  /**
   * Starts PostgreSQL and waits for its JDBC URL line. With nodes in namespaces it is started a
   * first time to create its data, stopped, told to listen on the bridge's address too, to let the
   * namespaces' subnet in and to keep its own log ({@code postgres/log/}: every refused journal
   * write is there), and started again.
   */
  void startPostgres() throws IOException, InterruptedException {
    pgPort = freePort();
    Path dataDir = out.resolve("postgres");
    if (placement.isolated()) {
      startPostgres(dataDir, out.resolve("postgres-init.log"));
      postgres.destroy();
      if (!postgres.waitFor(60, TimeUnit.SECONDS)) {
        throw new IOException("PostgreSQL did not stop after its first start");
      }
      placement.letNodesIn(dataDir);
    }
    startPostgres(dataDir, out.resolve("postgres.log"));
  }

  private void startPostgres(Path dataDir, Path log) throws IOException, InterruptedException {
    postgres =
        new ProcessBuilder(
                Machine.java(), "-Xmx128m", "-jar", jar.toString(),
                "postgres", "--data-dir", dataDir.toString(), "--port", Integer.toString(pgPort))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    pids.add("java", postgres.pid(), "postgres --data-dir " + dataDir);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (!Files.readString(log, StandardCharsets.UTF_8).contains("PostgreSQL ready")) {
      if (!postgres.isAlive() || System.nanoTime() > deadline) {
        throw new IOException("PostgreSQL did not start; " + log + ":\n" + tail(log, 20));
      }
      Thread.sleep(200);
    }
    List<String> pid = Files.readAllLines(dataDir.resolve("postmaster.pid"));
    pids.add("postgres", Long.parseLong(pid.get(0).trim()), dataDir.toString());
  }

  /** The bench's own JDBC URL (loopback of the host namespace). */
  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres";
  }

  /** PostgreSQL's own log files (partition run only; empty otherwise). */
  Path postgresLogDir() {
    return out.resolve("postgres").resolve("log");
  }

  Placement placement() {
    return placement;
  }

  int size() {
    return nodes.length;
  }

  String token() {
    return token;
  }

  int httpPort(int i) {
    return httpPorts[i];
  }

  /** The host node {@code i}'s HTTP and Akka remoting listen on. */
  String host(int i) {
    return placement.host(i);
  }

  String address(int i) {
    return "akka://orchestrator@" + host(i) + ":" + nodePorts[i];
  }

  /** {@code text} with each node's member address (with or without akka://) as "node i". */
  String nodeNames(String text) {
    for (int i = 0; i < nodes.length; i++) {
      text = text.replace(address(i), "node " + i).replace(address(i).substring(7), "node " + i);
    }
    return text;
  }

  /** The node whose member address is {@code address}, or -1. */
  int indexOf(String address) {
    for (int i = 0; i < nodes.length; i++) {
      if (address(i).equals(address)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Starts node {@code i}, output appended to node-i.log. With {@code rejoin} (a restart) the node
   * is last in its own seed list: it then only joins the running cluster. First in the list (node
   * 0 on the first start), Akka lets it form a cluster of its own when no other seed answers within
   * seed-node-timeout (5 s), which a loaded machine makes happen: two clusters, two singletons.
   */
  void startNode(int i, boolean rejoin) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Machine.java());
    command.add("-Dbench.failover.node=" + out.resolve("node-" + i));
    for (String opt : javaOpts.trim().split("\\s+")) {
      if (!opt.isEmpty()) {
        command.add(opt);
      }
    }
    command.add("-jar");
    command.add(jar.toString());
    Path log = out.resolve("node-" + i + ".log");
    ProcessBuilder pb =
        new ProcessBuilder(placement.wrap(i, command))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("ORCH_"));
    env.put("ORCH_MODE", "cluster");
    env.put("ORCH_DB_URL", "jdbc:postgresql://" + placement.dbHost() + ":" + pgPort + "/postgres");
    env.put("ORCH_DB_USER", "postgres");
    env.put("ORCH_DB_PASSWORD", "");
    env.put("ORCH_HTTP_HOST", host(i));
    env.put("ORCH_HTTP_PORT", Integer.toString(httpPorts[i]));
    env.put("ORCH_NODE_HOST", host(i));
    env.put("ORCH_NODE_PORT", Integer.toString(nodePorts[i]));
    env.put("ORCH_SEED_NODES", seeds(i, rejoin));
    env.put("ORCH_ADMIN_TOKEN", token);
    env.put("ORCH_DATA_DIR", out.resolve("node-" + i).toString());
    nodes[i] = pb.start();
    pids.add("node", nodes[i].pid(), "-Dbench.failover.node=" + out.resolve("node-" + i));
  }

  private String seeds(int self, boolean rejoin) {
    StringBuilder seeds = new StringBuilder();
    for (int k = 0; k < nodePorts.length; k++) {
      int node = rejoin ? (self + 1 + k) % nodePorts.length : k;
      seeds.append(seeds.length() == 0 ? "" : ",").append(host(node)).append(':');
      seeds.append(nodePorts[node]);
    }
    return seeds.toString();
  }

  /** kill -9 of node {@code i}; returns once the process is gone. */
  void kill9(int i) throws InterruptedException {
    nodes[i].destroyForcibly();
    nodes[i].waitFor(30, TimeUnit.SECONDS);
  }

  /** Waits until node {@code i} answers GET /health/ready with 200 (an Up member). */
  void awaitReady(int i) throws IOException, InterruptedException {
    HttpRequest ready =
        HttpRequest.newBuilder(URI.create("http://" + host(i) + ":" + httpPorts[i] + "/health/ready"))
            .timeout(Duration.ofSeconds(5))
            .build();
    long deadline = System.nanoTime() + READY.toNanos();
    while (System.nanoTime() < deadline) {
      if (!nodes[i].isAlive()) {
        throw new IOException(
            "node " + i + " exited with " + nodes[i].exitValue() + "; " + log(i) + ":\n"
                + tail(log(i), 30));
      }
      try {
        if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new IOException("node " + i + " not ready after " + READY + "; " + log(i));
  }

  /** GET {@code path} on node {@code i} with the admin token: the body when 200, else an error. */
  JsonNode get(int i, String path, Duration timeout) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://" + host(i) + ":" + httpPorts[i] + path))
            .timeout(timeout)
            .header("Authorization", "Bearer " + token)
            .build();
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET " + path + " on node " + i + " -> " + r.statusCode());
    }
    return Api.parse(r.body());
  }

  /** Whether node {@code i}'s process runs. */
  boolean alive(int i) {
    return nodes[i] != null && nodes[i].isAlive();
  }

  /** Node {@code i}'s current process (null before its first start). */
  Process process(int i) {
    return nodes[i];
  }

  Path log(int i) {
    return out.resolve("node-" + i + ".log");
  }

  static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | RuntimeException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** SIGTERM to every node (graceful leave, 30 s), then PostgreSQL; SIGKILL what hangs. */
  @Override
  public void close() {
    for (Process p : nodes) {
      if (p != null && p.isAlive()) {
        p.destroy();
      }
    }
    for (Process p : nodes) {
      stop(p, 30);
    }
    if (postgres != null && postgres.isAlive()) {
      postgres.destroy();
      stop(postgres, 30);
    }
  }

  private static void stop(Process p, int seconds) {
    if (p == null) {
      return;
    }
    try {
      if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
