package dev.orchestrator.node.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.NodeSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts real nodes inside the test JVM, through the same {@link Node#start} as the launcher: free
 * ports, a data directory of the test's, settings given as {@code orchestrator.*} keys.
 */
public final class TestNodes {
  public static final String ADMIN_TOKEN = "test-admin-token-0123456789";

  private TestNodes() {}

  /** Config of the given mode with {@code overrides} ({@code orchestrator.*} keys) on top. */
  public static Config config(String mode, Map<String, Object> overrides) {
    return ConfigFactory.parseMap(overrides)
        .withFallback(ConfigFactory.parseString("akka.cluster.jmx.multi-mbeans-in-same-jvm = on"))
        .withFallback(ConfigFactory.load("mode-" + mode));
  }

  /**
   * Settings of a dev node on free ports, data in {@code dataDir}, admin token {@link
   * #ADMIN_TOKEN}.
   */
  public static Map<String, Object> dev(Path dataDir) {
    Map<String, Object> values = new HashMap<>();
    values.put("orchestrator.mode", "dev");
    values.put("orchestrator.http.port", Ports.free());
    values.put("orchestrator.node.port", Ports.free());
    values.put("orchestrator.data-dir", dataDir.toString());
    values.put("orchestrator.admin-token", ADMIN_TOKEN);
    values.put("orchestrator.examples", "off");
    return values;
  }

  public static Node start(String mode, Map<String, Object> overrides) throws Exception {
    Config config = config(mode, overrides);
    return Node.start(NodeSettings.from(config), config);
  }

  /** A dev node on a new temporary data directory named {@code dirPrefix...}, once it is ready. */
  public static Node startReadyDev(String dirPrefix) throws Exception {
    return startReadyDev(Files.createTempDirectory(dirPrefix));
  }

  /** A dev node on {@code dataDir}, once it is ready. */
  public static Node startReadyDev(Path dataDir) throws Exception {
    Node node = start("dev", dev(dataDir));
    awaitReady(api(node));
    return node;
  }

  public static int httpPort(Node node) {
    return node.settings().httpPort();
  }

  /** Leaves the cluster and waits until the node and its database (embedded too) are stopped. */
  public static void stop(Node node) throws Exception {
    node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
    node.closed().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  public static Api api(Node node) {
    return new Api(httpPort(node), ADMIN_TOKEN);
  }

  /**
   * Generous on purpose: a node restarted after {@code kill -9} recovers PostgreSQL and every
   * remembered shard and entity first; on a 2-core machine running other builds (load 15) that was
   * seen to take 62 s. Correctness is what the tests assert; start-up time is bench/startup's.
   */
  public static final Duration READY_TIMEOUT = Duration.ofSeconds(180);

  /** Waits until {@code /health/ready} answers 200. */
  public static void awaitReady(Api api) {
    Await.until(
        READY_TIMEOUT,
        () -> {
          int status = api.get("/health/ready").statusCode();
          if (status != 200) {
            throw new AssertionError("ready answered " + status);
          }
        });
  }
}
