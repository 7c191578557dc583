package dev.orchestrator.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.ChildNode;
import dev.orchestrator.node.testkit.Ports;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/local-cluster} as a user runs it, against the built jar: {@code start 3} brings up
 * PostgreSQL ({@code orchestrator.jar postgres}) and three supervised nodes that form one cluster;
 * a node killed with {@code kill -9} is started again by its supervisor and rejoins; {@code status}
 * says so; {@code stop} leaves no process behind.
 */
class LocalClusterIT {
  private static final Path SCRIPT = Path.of("..", "bin", "local-cluster").toAbsolutePath();
  private static final Path JAR = Path.of("target", "orchestrator.jar").toAbsolutePath();
  private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(4);
  private static final Duration CLUSTER_UP = Duration.ofMinutes(3);

  @TempDir Path dir;

  private final Set<Long> seen = new LinkedHashSet<>();
  private Map<String, String> env;

  @AfterEach
  void leaveNothingRunning() throws Exception {
    if (env != null) {
      run("stop");
    }
    for (long pid : seen) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  @Test
  void startsThreeSupervisedNodesRestartsAKilledOneAndStopsEverything() throws Exception {
    assertTrue(Files.isRegularFile(JAR), JAR + " missing: run mvn package first");
    int httpBase = consecutiveFreePorts(3);
    env =
        Map.of(
            "LOCAL_CLUSTER_DIR", dir.toString(),
            "LOCAL_CLUSTER_JAR", JAR.toString(),
            "LOCAL_CLUSTER_PG_PORT", Integer.toString(Ports.free()),
            "LOCAL_CLUSTER_HTTP_PORT", Integer.toString(httpBase),
            "LOCAL_CLUSTER_NODE_PORT", Integer.toString(consecutiveFreePorts(3)),
            "LOCAL_CLUSTER_JAVA_OPTS", "-Xmx256m",
            "LOCAL_CLUSTER_WAIT", "180");

    String started = run("start", "3");
    String token = Files.readString(dir.resolve("admin.token"), StandardCharsets.UTF_8).trim();
    assertTrue(token.length() >= 16, "a generated admin token");
    assertTrue(started.contains(token), "start prints the admin token");
    recordPids();
    Api api = new Api(httpBase, token);
    awaitThreeUp(api);

    long killed = pid("node-2.pid");
    ProcessHandle.of(killed).orElseThrow().destroyForcibly();
    Await.until(
        CLUSTER_UP,
        () -> {
          long now = pid("node-2.pid");
          assertNotEquals(killed, now, "node 2 started again by its supervisor");
          seen.add(now);
        });
    awaitThreeUp(api);
    Await.until(
        CLUSTER_UP,
        () -> assertEquals(200, new Api(httpBase + 1, token).get("/health/ready").statusCode()));
    String status = run("status");
    assertTrue(status.matches("(?s).*node 2 +pid \\d+ +ready .*restarts 1.*"), status);
    assertTrue(status.contains("\"members\""), "status shows GET /api/v1/cluster: " + status);

    recordPids();
    run("stop");
    env = null;
    for (long pid : seen) {
      Optional<ProcessHandle> left = ProcessHandle.of(pid).filter(ProcessHandle::isAlive);
      assertTrue(left.isEmpty(), "left running after stop: " + left.map(ChildNode::describe));
    }
  }

  private static void awaitThreeUp(Api api) {
    Await.until(
        CLUSTER_UP,
        () -> {
          JsonNode view = Api.json(api.get("/api/v1/cluster"));
          List<String> up =
              StreamSupport.stream(view.path("members").spliterator(), false)
                  .filter(m -> m.path("status").asText().equals("Up"))
                  .map(m -> m.path("address").asText())
                  .toList();
          assertEquals(3, up.size(), view::toString);
        });
  }

  /** The pids of PostgreSQL (launcher and postmaster), the supervisors and the nodes now. */
  private void recordPids() throws IOException {
    List<String> files = new ArrayList<>(List.of("postgres.pid", "postgres/postmaster.pid"));
    for (int n = 1; n <= 3; n++) {
      files.add("supervisor-" + n + ".pid");
      files.add("node-" + n + ".pid");
    }
    for (String file : files) {
      seen.add(pid(file));
    }
  }

  private long pid(String file) throws IOException {
    return Long.parseLong(Files.readAllLines(dir.resolve(file)).get(0).trim());
  }

  private String run(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().keySet().removeIf(key -> key.startsWith("ORCH_"));
    builder.environment().putAll(env);
    Path out = Files.createTempFile(dir, "script-", ".out");
    Process process = builder.redirectOutput(out.toFile()).start();
    boolean ended = process.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    String output = Files.readString(out, StandardCharsets.UTF_8);
    if (!ended) {
      process.destroyForcibly();
    }
    assertTrue(ended, "local-cluster " + String.join(" ", args) + " did not end: " + output);
    assertEquals(
        0, process.exitValue(), "local-cluster " + String.join(" ", args) + ":\n" + output);
    return output;
  }

  /** The first of {@code count} consecutive ports that are free now. */
  private static int consecutiveFreePorts(int count) throws IOException {
    for (int attempt = 0; attempt < 200; attempt++) {
      int base = ThreadLocalRandom.current().nextInt(20_000, 40_000);
      if (allFree(base, count)) {
        return base;
      }
    }
    throw new IOException("no " + count + " consecutive free ports found");
  }

  private static boolean allFree(int base, int count) {
    for (int port = base; port < base + count; port++) {
      try (ServerSocket socket = new ServerSocket(port)) {
        socket.setReuseAddress(true);
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
