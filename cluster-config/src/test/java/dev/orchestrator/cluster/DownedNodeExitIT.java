package dev.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.actor.AddressFromURIString;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import akka.cluster.typed.JoinSeedNodes;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.ChildNode;
import dev.orchestrator.node.testkit.Ports;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node JVM ({@code dev.orchestrator.node.Main}, cluster mode) that another member downs exits
 * with {@code Main.EXIT_REMOVED} (3), so that a supervisor restarting on failure restarts it. The
 * other member is an ActorSystem of this test with the node's own cluster settings, joined to the
 * node's cluster; it downs the node with {@code Cluster.down}, as a survivor's split brain resolver
 * or proof of death would. Before the exit code was decided from the shutdown's reason, a downed
 * node's JVM could end with 0 (its last Akka thread ended before the exit callback ran).
 */
class DownedNodeExitIT {
  @TempDir Path temp;

  private ChildCluster cluster;
  private ActorSystem<Void> survivor;

  @AfterEach
  void cleanUp() throws Exception {
    try {
      if (survivor != null) {
        survivor.terminate();
        survivor.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
    } finally {
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  @Test
  void aNodeDownedByAnotherMemberExitsWithThree() throws Exception {
    cluster = ChildCluster.start(temp, "downed", 1);
    String address = cluster.nodes().keySet().iterator().next();
    ChildNode node = cluster.node(address);

    survivor = ActorSystem.create(Behaviors.empty(), ClusterNodes.SYSTEM, survivorConfig());
    Cluster self = Cluster.get(survivor);
    self.manager().tell(new JoinSeedNodes(List.of(AddressFromURIString.parse(address))));
    Await.until(ChildCluster.DEADLINE, () -> assertEquals(2, upMembers(self), "both Up"));

    self.manager().tell(new Down(AddressFromURIString.parse(address)));
    int exit = node.awaitExit();
    String log = node.stdout();
    assertEquals(
        3,
        exit,
        "exit code of the downed node; its log ends with:\n"
            + log.substring(Math.max(0, log.length() - 3000)));
  }

  /** The nodes' own cluster settings (split brain resolver and all), no roles, a free port. */
  private static Config survivorConfig() {
    return ConfigFactory.parseString(
            "akka.remote.artery.canonical.hostname = 127.0.0.1\n"
                + "akka.remote.artery.canonical.port = "
                + Ports.free()
                + "\n"
                + "akka.cluster.roles = []\n")
        .withFallback(ConfigFactory.load("mode-cluster"));
  }

  private static long upMembers(Cluster cluster) {
    long up = 0;
    for (Member m : cluster.state().getMembers()) {
      up += m.status() == MemberStatus.up() ? 1 : 0;
    }
    return up;
  }
}
