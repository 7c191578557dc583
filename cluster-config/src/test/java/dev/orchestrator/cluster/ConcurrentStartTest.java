package dev.orchestrator.cluster;

import static dev.orchestrator.cluster.ClusterNodes.cluster;
import static dev.orchestrator.cluster.ClusterNodes.upMembers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.Ports;
import dev.orchestrator.node.testkit.TestNodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two cluster-mode nodes started at the same moment on a fresh, empty database: both migrate it
 * (serialised by Flyway's advisory lock, each migration applied once) and both try to generate the
 * bootstrap admin token (exactly one wins).
 */
class ConcurrentStartTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir static Path temp;

  private static EmbeddedPostgres postgres;
  private static String jdbcUrl;
  private static final List<Node> running = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void startFreshDatabase() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    String database = "orch_concurrent_start";
    try (Connection c = connect("postgres");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + database);
    }
    jdbcUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database;
    try (Connection c = connect(database);
        Statement s = c.createStatement();
        ResultSet tables =
            s.executeQuery(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
      tables.next();
      assertEquals(0, tables.getInt(1), "the new database is empty");
    }
  }

  @AfterAll
  static void stopEverything() throws Exception {
    try {
      ClusterNodes.stopAll(new ArrayList<>(running));
    } finally {
      if (postgres != null) {
        postgres.close();
      }
    }
  }

  @Test
  void twoNodesStartingTogetherMigrateOnceAndGenerateOneAdminToken() throws Exception {
    ClusterNodes.Plan plan1 = new ClusterNodes.Plan(Ports.free(), Ports.free(), temp.resolve("n1"));
    ClusterNodes.Plan plan2 = new ClusterNodes.Plan(Ports.free(), Ports.free(), temp.resolve("n2"));
    List<ClusterNodes.Plan> plans = List.of(plan1, plan2);

    CyclicBarrier together = new CyclicBarrier(plans.size());
    ExecutorService pool = Executors.newFixedThreadPool(plans.size());
    List<Node> nodes = new ArrayList<>();
    long start = System.nanoTime();
    try {
      List<Future<Node>> starts = new ArrayList<>();
      for (ClusterNodes.Plan plan : plans) {
        starts.add(
            pool.submit(
                () -> {
                  // No admin token configured: each node tries to generate the bootstrap one.
                  var settings = ClusterNodes.settings(plan, jdbcUrl, plan1, "");
                  together.await(30, TimeUnit.SECONDS);
                  Node node = TestNodes.start("cluster", settings);
                  running.add(node);
                  return node;
                }));
      }
      for (Future<Node> started : starts) {
        nodes.add(started.get(120, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdown();
    }
    long started = System.nanoTime();

    assertMigratedOnce();
    assertOneBootstrapToken(nodes);

    String token =
        nodes.stream()
            .map(Node::generatedAdminToken)
            .flatMap(Optional::stream)
            .findFirst()
            .orElseThrow();
    Set<String> addresses = Set.of(plan1.address(), plan2.address());
    for (Node node : nodes) {
      Api api = new Api(TestNodes.httpPort(node), token);
      TestNodes.awaitReady(api);
      Await.until(DEADLINE, () -> assertEquals(addresses, Set.copyOf(upMembers(cluster(api)))));
    }
    System.out.printf(
        "ConcurrentStartTest: both nodes started in %d ms, ready with 2 Up members after %d ms%n",
        TimeUnit.NANOSECONDS.toMillis(started - start),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  /** One successful row per migration version, and every migration on the classpath applied. */
  private static void assertMigratedOnce() throws SQLException {
    TreeMap<String, Integer> rows = new TreeMap<>();
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
        Statement s = c.createStatement();
        ResultSet history =
            s.executeQuery(
                "SELECT version, success FROM flyway_schema_history WHERE version IS NOT NULL"
                    + " ORDER BY installed_rank")) {
      while (history.next()) {
        String version = history.getString("version");
        assertTrue(history.getBoolean("success"), "migration " + version + " failed");
        rows.merge(version, 1, Integer::sum);
      }
    }
    for (var entry : rows.entrySet()) {
      assertEquals(1, entry.getValue(), "rows for migration " + entry.getKey() + ": " + rows);
    }
    Flyway flyway =
        Flyway.configure()
            .dataSource(jdbcUrl, "postgres", "")
            .locations("classpath:db/migration")
            .load();
    List<String> resolved = new ArrayList<>();
    for (MigrationInfo info : flyway.info().all()) {
      resolved.add(info.getVersion().getVersion());
    }
    assertFalse(resolved.isEmpty(), "migrations on the classpath");
    assertEquals(
        resolved.stream().sorted().toList(),
        new ArrayList<>(rows.keySet()),
        "each migration on the classpath applied once");
    assertEquals(0, flyway.info().pending().length, "nothing pending");
  }

  private static void assertOneBootstrapToken(List<Node> nodes) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
        Statement s = c.createStatement();
        ResultSet count =
            s.executeQuery(
                "SELECT count(*) FROM api_tokens WHERE created_by = 'bootstrap' AND revoked_at"
                    + " IS NULL")) {
      count.next();
      assertEquals(1, count.getInt(1), "live bootstrap admin tokens");
    }
    long generated = nodes.stream().filter(n -> n.generatedAdminToken().isPresent()).count();
    assertEquals(1, generated, "nodes that generated (and would show) the admin token");
  }

  private static Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database, "postgres", "");
  }
}
