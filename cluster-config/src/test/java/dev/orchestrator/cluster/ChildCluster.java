package dev.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.ChildNode;
import dev.orchestrator.node.testkit.Ports;
import dev.orchestrator.node.testkit.TestNodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Cluster-mode nodes in child JVMs ({@code dev.orchestrator.node.Main}) on one embedded PostgreSQL,
 * for the tests that kill or pause a node's process; nodes by their cluster address. The system
 * property {@code failover.childJvmArgs} (space separated) is passed to every node, to measure
 * other settings ({@code -Dakka.cluster...}). {@link #close()} kills what is left.
 */
final class ChildCluster implements AutoCloseable {
  static final Duration DEADLINE = Duration.ofSeconds(180);

  private final Path temp;
  private final EmbeddedPostgres postgres;
  private final int seedPort;
  private final List<String> jvmArgs;
  private final Map<String, ChildNode> byAddress = new LinkedHashMap<>();
  private final Map<String, String> names = new HashMap<>();
  private final List<ChildNode> started = new ArrayList<>();

  private ChildCluster(Path temp, EmbeddedPostgres postgres, int seedPort, List<String> jvmArgs) {
    this.temp = temp;
    this.postgres = postgres;
    this.seedPort = seedPort;
    this.jvmArgs = jvmArgs;
  }

  /** Starts PostgreSQL and {@code size} nodes named {@code prefix-1..size}, the first the seed. */
  static ChildCluster start(Path temp, String prefix, int size) throws Exception {
    return start(temp, prefix, size, List.of());
  }

  /**
   * Like {@link #start(Path, String, int)}, every node (a restarted one too) started with {@code
   * jvmArgs} as well ({@code -Dsetting=value}).
   */
  static ChildCluster start(Path temp, String prefix, int size, List<String> jvmArgs)
      throws Exception {
    EmbeddedPostgres postgres =
        EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
    ChildCluster cluster = new ChildCluster(temp, postgres, Ports.free(), List.copyOf(jvmArgs));
    try {
      cluster.add(prefix + "-1", cluster.seedPort).awaitReady();
      for (int i = 2; i <= size; i++) {
        cluster.add(prefix + "-" + i, Ports.free());
      }
      cluster.byAddress.values().forEach(ChildNode::awaitReady);
      return cluster;
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
    }
  }

  EmbeddedPostgres postgres() {
    return postgres;
  }

  /** The nodes by address, in start order. */
  Map<String, ChildNode> nodes() {
    return byAddress;
  }

  ChildNode node(String address) {
    return byAddress.get(address);
  }

  /**
   * Starts the node at {@code address} again (it must have exited): a new JVM with the same name,
   * cluster port and data directory. Does not wait until it is ready.
   */
  ChildNode restart(String address) {
    String name = names.get(address);
    int nodePort = Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    return add(name, nodePort);
  }

  /** Waits until every node shows all of them Up and one singleton; returns its node's address. */
  String awaitOneCluster() {
    Set<String> singletons = new HashSet<>();
    Await.until(
        DEADLINE,
        () -> {
          singletons.clear();
          for (ChildNode node : byAddress.values()) {
            JsonNode view = ClusterNodes.cluster(node.api());
            assertEquals(
                byAddress.keySet(), Set.copyOf(ClusterNodes.upMembers(view)), view::toString);
            String where = ClusterNodes.text(view, "/singleton/address");
            assertNotNull(where, "no singleton yet: " + view);
            singletons.add(where);
          }
          assertEquals(1, singletons.size(), "one singleton: " + singletons);
        });
    return singletons.iterator().next();
  }

  /** The APIs of every node but {@code address}. */
  List<Api> apisBut(String address) {
    return byAddress.entrySet().stream()
        .filter(e -> !e.getKey().equals(address))
        .map(e -> e.getValue().api())
        .toList();
  }

  static String address(int nodePort) {
    return "akka://" + ClusterNodes.SYSTEM + "@127.0.0.1:" + nodePort;
  }

  private ChildNode add(String name, int nodePort) {
    Map<String, String> env = new HashMap<>();
    env.put("ORCH_MODE", "cluster");
    env.put("ORCH_DB_URL", "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres");
    env.put("ORCH_DB_USER", "postgres");
    env.put("ORCH_DB_PASSWORD", "");
    env.put("ORCH_SEED_NODES", "127.0.0.1:" + seedPort);
    env.put("ORCH_NODE_PORT", Integer.toString(nodePort));
    env.put("ORCH_ADMIN_TOKEN", TestNodes.ADMIN_TOKEN);
    List<String> args = new ArrayList<>(jvmArgs);
    String extra = System.getProperty("failover.childJvmArgs", "").trim();
    if (!extra.isEmpty()) {
      args.addAll(Arrays.asList(extra.split("\\s+")));
    }
    args.addAll(
        List.of("-cp", System.getProperty("java.class.path"), "dev.orchestrator.node.Main"));
    ChildNode child = ChildNode.start(name, args, temp.resolve(name), env);
    started.add(child);
    String address = address(nodePort);
    byAddress.put(address, child);
    names.put(address, name);
    return child;
  }

  /** Kills every node still running (a paused one too), then stops PostgreSQL. */
  @Override
  public void close() throws Exception {
    try {
      started.forEach(ChildNode::close);
    } finally {
      postgres.close();
    }
  }
}
