package dev.orchestrator.cluster;

import static dev.orchestrator.cluster.ClusterNodes.cluster;
import static dev.orchestrator.cluster.ClusterNodes.text;
import static dev.orchestrator.cluster.ClusterNodes.upMembers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.Ports;
import dev.orchestrator.node.testkit.TestNodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three cluster-mode nodes (ActorSystems in this JVM) on one PostgreSQL: they form one cluster,
 * agree on leader and singleton, share components, and hand the singleton over when its node leaves
 * gracefully.
 */
class ThreeNodeClusterTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String COMPONENT = "three-node-c1";
  private static final String GROUP = "three-node";

  @TempDir static Path temp;

  private static EmbeddedPostgres postgres;
  private static final List<Node> running = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void startDatabase() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
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
  void formsOneClusterSharesComponentsAndHandsTheSingletonOverOnLeave() throws Exception {
    String jdbcUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    List<ClusterNodes.Plan> plans = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      plans.add(new ClusterNodes.Plan(Ports.free(), Ports.free(), temp.resolve("node" + i)));
    }
    ClusterNodes.Plan seed = plans.get(0);

    long formStart = System.nanoTime();
    List<Node> nodes = startConcurrently(plans, jdbcUrl, seed);
    Node node1 = nodes.get(0);
    List<Api> apis = nodes.stream().map(TestNodes::api).toList();
    List<String> addresses = plans.stream().map(ClusterNodes.Plan::address).toList();
    for (int i = 0; i < 3; i++) {
      assertEquals(addresses.get(i), nodes.get(i).system().address().toString());
    }
    long started = System.nanoTime();

    Await.until(DEADLINE, () -> assertAgree(apis, Set.copyOf(addresses), seed.address()));
    long formed = System.nanoTime();
    System.out.printf(
        "ThreeNodeClusterTest: nodes started in %d ms, cluster of 3 Up with singleton on node 1"
            + " seen by all in %d ms (total %d ms)%n",
        millis(formStart, started), millis(started, formed), millis(formStart, formed));

    // A component registered through node 2 is the same entity everywhere.
    String body = "{\"driver\":\"simulated\",\"groups\":[\"" + GROUP + "\"]}";
    HttpResponse<String> put =
        answered(() -> apis.get(1).put("/api/v1/components/" + COMPONENT, body));
    assertEquals(200, put.statusCode(), "PUT through node 2: " + put.body());
    for (int i : new int[] {0, 2}) {
      assertComponentReadable(apis.get(i), "node " + (i + 1));
    }
    Await.until(DEADLINE, () -> assertListed(apis.get(2)));

    // Node 1 (the oldest, so the singleton's) leaves gracefully.
    long leaveStart = System.nanoTime();
    TestNodes.stop(node1);
    running.remove(node1);
    long left = System.nanoTime();
    List<Api> survivors = List.of(apis.get(1), apis.get(2));
    Set<String> survivorAddresses = Set.of(addresses.get(1), addresses.get(2));
    Await.until(DEADLINE, () -> assertAgree(survivors, survivorAddresses, null));
    long handedOver = System.nanoTime();
    System.out.printf(
        "ThreeNodeClusterTest: node 1 left in %d ms; survivors agree on 2 Up members and a"
            + " singleton on a survivor %d ms after the leave began%n",
        millis(leaveStart, left), millis(leaveStart, handedOver));

    for (int i = 0; i < survivors.size(); i++) {
      Api api = survivors.get(i);
      String which = "node " + (i + 2) + " after node 1 left";
      assertComponentReadable(api, which);
    }
    System.out.printf(
        "ThreeNodeClusterTest: component readable on both survivors %d ms after the leave began%n",
        millis(leaveStart, System.nanoTime()));
  }

  private static List<Node> startConcurrently(
      List<ClusterNodes.Plan> plans, String jdbcUrl, ClusterNodes.Plan seed) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(plans.size());
    try {
      List<CompletableFuture<Node>> starts = new ArrayList<>();
      for (ClusterNodes.Plan plan : plans) {
        starts.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    Node node =
                        TestNodes.start(
                            "cluster",
                            ClusterNodes.settings(plan, jdbcUrl, seed, TestNodes.ADMIN_TOKEN));
                    running.add(node);
                    return node;
                  } catch (Exception e) {
                    throw new IllegalStateException(
                        "node on " + plan.hostPort() + " did not start: " + e.getMessage(), e);
                  }
                },
                pool));
      }
      List<Node> nodes = new ArrayList<>();
      for (CompletableFuture<Node> start : starts) {
        nodes.add(start.get(120, TimeUnit.SECONDS));
      }
      return nodes;
    } finally {
      pool.shutdown();
    }
  }

  /**
   * Every api shows exactly {@code members} as Up members with the standard roles, and all agree on
   * one leader (a member) and one singleton address (a member; {@code singleton} when given).
   */
  private static void assertAgree(List<Api> apis, Set<String> members, String singleton) {
    Set<String> leaders = new HashSet<>();
    Set<String> singletons = new HashSet<>();
    for (Api api : apis) {
      JsonNode view = cluster(api);
      List<String> up = upMembers(view);
      assertEquals(members.size(), up.size(), "members in " + view);
      assertEquals(members, Set.copyOf(up), "members in " + view);
      String leader = text(view, "/leader");
      assertNotNull(leader, "leader in " + view);
      assertTrue(members.contains(leader), "leader is a member: " + view);
      leaders.add(leader);
      String where = text(view, "/singleton/address");
      assertNotNull(where, "singleton address in " + view);
      assertTrue(members.contains(where), "singleton runs on a member: " + view);
      singletons.add(where);
    }
    assertEquals(1, leaders.size(), "one leader for all: " + leaders);
    assertEquals(1, singletons.size(), "one singleton for all: " + singletons);
    if (singleton != null) {
      assertEquals(singleton, singletons.iterator().next(), "singleton on the oldest node");
    }
  }

  /**
   * The first answer that is not 503 (an ask that timed out while shards or the coordinator move);
   * any other status is final, so a lost entity shows as 404 at once.
   */
  private static HttpResponse<String> answered(Supplier<HttpResponse<String>> request) {
    AtomicReference<HttpResponse<String>> answer = new AtomicReference<>();
    Await.until(
        DEADLINE,
        () -> {
          HttpResponse<String> response = request.get();
          assertNotEquals(503, response.statusCode(), "still unavailable: " + response.body());
          answer.set(response);
        });
    return answer.get();
  }

  private static void assertComponentReadable(Api api, String which) {
    HttpResponse<String> get = answered(() -> api.get("/api/v1/components/" + COMPONENT));
    assertEquals(200, get.statusCode(), "GET on " + which + ": " + get.body());
    JsonNode component = Api.json(get);
    assertEquals(COMPONENT, component.get("id").asText(), which);
    assertEquals("simulated", component.get("driver").asText(), which);
  }

  private static void assertListed(Api api) {
    HttpResponse<String> list = api.get("/api/v1/components?group=" + GROUP);
    assertEquals(200, list.statusCode(), "list on node 3: " + list.body());
    List<String> ids = new ArrayList<>();
    Api.json(list).get("items").forEach(item -> ids.add(item.get("id").asText()));
    assertEquals(List.of(COMPONENT), ids, "listed on node 3");
  }

  private static long millis(long from, long to) {
    return TimeUnit.NANOSECONDS.toMillis(to - from);
  }
}
