package dev.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link EntityKeeper} on a one-node cluster with real sharding: it wakes the entities the read
 * side lists, at most a window of them waiting for their answer at once; each answer (or a wake's
 * timeout) lets the next one go.
 */
class EntityKeeperWindowTest {
  private static final int ENTITIES = 10;
  private static final Duration QUIET = Duration.ofMillis(500);

  /** A woken entity: its id and where to answer that it is up. */
  private record Woken(String id, ActorRef<Done> replyTo) {}

  /** The kept entities' one message. */
  private record Wake(String reason, ActorRef<Done> replyTo) {}

  private ActorTestKit testKit;
  private TestProbe<Woken> woken;
  private EntityTypeKey<Wake> typeKey;

  @BeforeEach
  void startCluster() {
    testKit =
        ActorTestKit.create(
            "EntityKeeperWindowTest",
            ConfigFactory.parseString(
                    "akka.actor.provider = cluster\n"
                        + "akka.remote.artery.canonical { hostname = \"127.0.0.1\", port = 0 }\n"
                        + "akka.cluster.jmx.multi-mbeans-in-same-jvm = on\n")
                .withFallback(ConfigFactory.load()));
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    TestProbe<Object> up = testKit.createTestProbe();
    up.awaitAssert(
        () -> {
          assertEquals(MemberStatus.up(), cluster.selfMember().status());
          return null;
        });
    woken = testKit.createTestProbe();
    typeKey = EntityTypeKey.create(Wake.class, "KeeperWindow");
    ActorRef<Woken> tellTo = woken.ref();
    ClusterSharding.get(testKit.system())
        .init(Entity.of(typeKey, ctx -> entity(ctx.getEntityId(), tellTo)));
  }

  @AfterEach
  void stopCluster() {
    testKit.shutdownTestKit();
  }

  /** Tells the test of each wake; the test decides when it answers. */
  private static Behavior<Wake> entity(String id, ActorRef<Woken> tellTo) {
    return Behaviors.receiveMessage(
        wake -> {
          tellTo.tell(new Woken(id, wake.replyTo()));
          return Behaviors.same();
        });
  }

  private void startKeeper(int window, Duration wakeTimeout) {
    List<EntityKeeper.Row> rows = new ArrayList<>();
    Instant old = Instant.now().minus(Duration.ofHours(1));
    for (int i = 0; i < ENTITIES; i++) {
      rows.add(new EntityKeeper.Row("e-" + i, "e-" + i, old));
    }
    EntityKeeper.Settings settings =
        new EntityKeeper.Settings(
            Duration.ofHours(1),
            Duration.ofMillis(100),
            0,
            Duration.ofSeconds(3),
            500,
            window,
            wakeTimeout);
    testKit.spawn(
        EntityKeeper.create(
            settings,
            new EntityKeeper.Kept<>(
                "test entities",
                typeKey,
                () -> CompletableFuture.completedFuture(rows),
                Wake::new)),
        "keeper");
  }

  private List<Woken> receive(int n) {
    List<Woken> got = woken.receiveSeveralMessages(n, Duration.ofSeconds(15));
    woken.expectNoMessage(QUIET);
    return got;
  }

  @Test
  void atMostAWindowOfWakesAwaitTheirAnswerAndEachAnswerLetsTheNextGo() {
    startKeeper(3, Duration.ofMinutes(1));

    List<Woken> first = receive(3);
    first.get(0).replyTo().tell(Done.getInstance());
    List<Woken> second = receive(1);
    first.get(1).replyTo().tell(Done.getInstance());
    first.get(2).replyTo().tell(Done.getInstance());
    second.get(0).replyTo().tell(Done.getInstance());
    List<Woken> third = receive(3);

    Set<String> ids = new HashSet<>();
    for (List<Woken> batch : List.of(first, second, third)) {
      batch.forEach(w -> ids.add(w.id()));
    }
    assertEquals(7, ids.size(), "each woken once: " + ids);
  }

  @Test
  void aWakeThatIsNeverAnsweredLeavesTheWindowAfterItsTimeout() {
    startKeeper(3, Duration.ofMillis(300));

    List<Woken> all = woken.receiveSeveralMessages(ENTITIES, Duration.ofSeconds(15));

    Set<String> ids = new HashSet<>();
    all.forEach(w -> ids.add(w.id()));
    assertEquals(ENTITIES, ids.size(), "every entity woken, none answering: " + ids);
  }
}
