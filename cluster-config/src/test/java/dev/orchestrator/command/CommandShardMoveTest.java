package dev.orchestrator.command;

import static dev.orchestrator.command.CommandTestSupport.awaitFinal;
import static dev.orchestrator.command.CommandTestSupport.awaitStatus;
import static dev.orchestrator.command.CommandTestSupport.journal;
import static dev.orchestrator.command.CommandTestSupport.submit;
import static dev.orchestrator.command.CommandTestSupport.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.ShardRegion;
import akka.cluster.sharding.typed.ClusterShardingQuery;
import akka.cluster.sharding.typed.GetShardRegionState;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.Ports;
import dev.orchestrator.node.testkit.TestNodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A command whose entity moves to another node while its attempt runs on a third (here: the
 * entity's node leaves gracefully) re-attaches to that attempt: it runs once, not twice. Before,
 * every restart of a running command's entity counted its attempt as interrupted and ran it again,
 * which a shard rebalance after a node joined did now and then.
 */
class CommandShardMoveTest {
  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final int SLEEP_MILLIS = 6_000;
  private static final int MAX_SUBMITS = 60;

  @TempDir Path temp;

  private final List<Node> nodes = Collections.synchronizedList(new ArrayList<>());
  private EmbeddedPostgres postgres;

  @AfterEach
  void cleanUp() throws Exception {
    List<Node> running = new ArrayList<>(nodes);
    Collections.reverse(running);
    try {
      for (Node node : running) {
        TestNodes.stop(node);
      }
    } finally {
      if (postgres != null) {
        postgres.close();
      }
    }
  }

  @Test
  void anEntityMovedWhileItsAttemptRunsReattachesAndRunsItOnce() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    String jdbcUrl = postgres.getJdbcUrl("postgres", "postgres");
    int aPort = Ports.free();
    String seed = "127.0.0.1:" + aPort;
    Node a = start("a", aPort, jdbcUrl, seed, "gateway,worker");
    start("b", Ports.free(), jdbcUrl, seed, "batch");
    Node c = start("c", Ports.free(), jdbcUrl, seed, "gateway,worker");
    Api api = TestNodes.api(a);
    Await.until(DEADLINE, () -> assertEquals(3, upCount(a), "members Up"));
    // Every node must know B's executor (the receptionist's listing) before the commands that
    // matter: one command per shard owner would otherwise wait PENDING for a moment.
    Await.until(
        DEADLINE,
        () -> {
          for (Node node : nodes) {
            assertTrue(
                ExecutorDirectory.get(node.system()).pick("batch").isPresent(),
                "B's executor known on " + node.system().address());
          }
        });

    // Submit until at least two commands have their entity on C; their attempts run on B.
    List<String> onC = new ArrayList<>();
    for (int i = 0; i < MAX_SUBMITS && onC.size() < 2; i++) {
      String id =
          submit(
                  api,
                  "{\"name\":\"sleep\",\"input\":{\"millis\":"
                      + SLEEP_MILLIS
                      + "},\"target\":\"batch\",\"timeout\":\"1m\"}")
              .get("id")
              .asText();
      if (entitiesOn(c).contains(id)) {
        onC.add(id);
      }
    }
    assertEquals(2, onC.size(), "commands with their entity on C after " + MAX_SUBMITS);
    for (String id : onC) {
      awaitStatus(api, id, "RUNNING", DEADLINE);
    }

    nodes.remove(c);
    TestNodes.stop(c);

    for (String id : onC) {
      JsonNode done = awaitFinal(api, id, DEADLINE);
      assertEquals("SUCCEEDED", done.get("status").asText(), done.toString());
      assertEquals(1, done.get("attempts").asInt(), "ran once: " + done);
      List<String> events = types(journal(postgres.getPostgresDatabase(), id));
      assertFalse(events.contains("AttemptFailed"), id + " journal: " + events);
      assertEquals(List.of("Submitted", "AttemptStarted", "Succeeded"), events, id);
    }
  }

  private Node start(String name, int nodePort, String jdbcUrl, String seed, String roles)
      throws Exception {
    Node node =
        TestNodes.start(
            "cluster",
            CommandTestSupport.clusterNode(nodePort, jdbcUrl, seed, roles, temp.resolve(name)));
    nodes.add(node);
    return node;
  }

  private static int upCount(Node node) {
    int up = 0;
    for (akka.cluster.Member member :
        akka.cluster.typed.Cluster.get(node.system()).state().getMembers()) {
      up += member.status() == akka.cluster.MemberStatus.up() ? 1 : 0;
    }
    return up;
  }

  /** The ids of the command entities alive on {@code node}. */
  private static Set<String> entitiesOn(Node node) throws Exception {
    ActorSystem<Void> system = node.system();
    ShardRegion.CurrentShardRegionState state =
        AskPattern.<ClusterShardingQuery, ShardRegion.CurrentShardRegionState>ask(
                ClusterSharding.get(system).shardState(),
                replyTo -> new GetShardRegionState(CommandEntity.ENTITY_TYPE_KEY, replyTo),
                Duration.ofSeconds(10),
                system.scheduler())
            .toCompletableFuture()
            .get(15, TimeUnit.SECONDS);
    Set<String> ids = new HashSet<>();
    state.getShards().forEach(shard -> ids.addAll(shard.getEntityIds()));
    return ids;
  }
}
