package dev.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orchestrator.cluster.EntityKeeper.Row;
import dev.orchestrator.cluster.EntityKeeper.Wakes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * What a keeper's check wakes, from where shards ran at the last check, where they run now, what
 * runs on this node and how old each read-side row is.
 */
class EntityKeeperTest {
  private static final int SHARDS = 16;
  private static final Instant NOW = Instant.parse("2026-11-23T09:00:00Z");
  private static final Instant STALE_BEFORE = NOW.minus(Duration.ofSeconds(5));
  private static final Instant YOUNG = NOW.minusSeconds(1);
  private static final Instant OLD = NOW.minusSeconds(60);
  private static final String NODE_A = "akka://orchestrator@127.0.0.1:2551";
  private static final String NODE_B = "akka://orchestrator@127.0.0.1:2552";
  private static final String NODE_C = "akka://orchestrator@127.0.0.1:2553";

  /** An entity id of {@code shard} not in {@code taken}. */
  private static String idIn(String shard, Set<String> taken) {
    return IntStream.range(0, 10_000)
        .mapToObj(i -> "e-" + i)
        .filter(id -> EntityKeeper.shardOf(id, SHARDS).equals(shard) && !taken.contains(id))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aShardNowOnAnotherRegionOrOnNoneHasMoved() {
    Map<String, String> before = Map.of("1", NODE_A, "2", NODE_B, "3", NODE_B);
    Map<String, String> now = Map.of("1", NODE_A, "2", NODE_A, "4", NODE_A);
    assertEquals(Set.of("2", "3"), EntityKeeper.moved(before, now));
    assertEquals(Set.of(), EntityKeeper.moved(Map.of(), now));
  }

  @Test
  void anEntityOfAMovedShardIsWokenAtOnceEvenWithAYoungRow() {
    // Its node died, and a request for another entity of its shard started the shard here first:
    // the shard is live, the entity is not running, and its row was written a moment ago.
    String victim = idIn("2", Set.of());
    String neighbour = idIn("2", Set.of(victim));
    Wakes wakes =
        EntityKeeper.decide(
            List.of(new Row(victim, victim, YOUNG)),
            SHARDS,
            Set.of("2"),
            Set.of("2"),
            Map.of("2", Set.of(neighbour)),
            STALE_BEFORE);
    assertEquals(new Wakes(List.of(), List.of(victim), List.of()), wakes);

    // The shard moved to another node: woken through sharding there.
    Wakes elsewhere =
        EntityKeeper.decide(
            List.of(new Row(victim, victim, YOUNG)),
            SHARDS,
            Set.of("2"),
            Set.of("2"),
            Map.of(),
            STALE_BEFORE);
    assertEquals(List.of(victim), elsewhere.moved());
  }

  @Test
  void withoutAMoveAYoungRowOfAStoppedEntityWaitsAndAnOldOneIsWoken() {
    String young = idIn("3", Set.of());
    String old = idIn("3", Set.of(young));
    String running = idIn("3", Set.of(young, old));
    Wakes wakes =
        EntityKeeper.decide(
            List.of(
                new Row(young, young, YOUNG),
                new Row(old, "parent-of-" + old, OLD),
                new Row(running, running, OLD)),
            SHARDS,
            Set.of("3"),
            Set.of(),
            Map.of("3", Set.of(running)),
            STALE_BEFORE);
    assertEquals(new Wakes(List.of(), List.of(), List.of("parent-of-" + old)), wakes);
  }

  @Test
  void anEntityWhoseShardRunsNowhereIsAnOrphanAndOneAlreadyRunningHereIsLeft() {
    String orphan = idIn("5", Set.of());
    String movedHere = idIn("6", Set.of());
    Wakes wakes =
        EntityKeeper.decide(
            List.of(new Row(orphan, orphan, YOUNG), new Row(movedHere, movedHere, YOUNG)),
            SHARDS,
            Set.of("6"),
            Set.of("5", "6"),
            Map.of("6", Set.of(movedHere)),
            STALE_BEFORE);
    assertEquals(new Wakes(List.of(orphan), List.of(), List.of()), wakes);
  }

  @Test
  void whenAMemberLeavesTheEntitiesOfItsShardsAndOfShardsNotSeenYetAreWoken() {
    Map<String, String> homes = Map.of("1", NODE_A, "2", NODE_B);
    String onA = idIn("1", Set.of());
    String onB = idIn("2", Set.of());
    String notSeen = idIn("4", Set.of());
    List<Row> rows =
        List.of(
            new Row(onA, onA, YOUNG),
            new Row(onB, "parent-of-" + onB, YOUNG),
            new Row(notSeen, notSeen, YOUNG));
    assertEquals(
        List.of("parent-of-" + onB, notSeen),
        EntityKeeper.leftBehind(rows, homes, NODE_B, NODE_A, SHARDS));
    assertEquals(List.of(notSeen), EntityKeeper.leftBehind(rows, homes, NODE_C, NODE_A, SHARDS));
    assertEquals(
        List.of(onA, "parent-of-" + onB, notSeen),
        EntityKeeper.leftBehind(rows, Map.of(), NODE_B, NODE_A, SHARDS));
  }

  @Test
  void whenThisNodeLeavesItsKeeperWakesNothing() {
    String onB = idIn("2", Set.of());
    String notSeen = idIn("4", Set.of());
    List<Row> rows = List.of(new Row(onB, onB, YOUNG), new Row(notSeen, notSeen, YOUNG));
    assertEquals(
        List.of(), EntityKeeper.leftBehind(rows, Map.of("2", NODE_B), NODE_B, NODE_B, SHARDS));
    assertEquals(List.of(), EntityKeeper.leftBehind(rows, Map.of(), NODE_B, NODE_B, SHARDS));
    assertEquals(
        List.of(onB, notSeen),
        EntityKeeper.leftBehind(rows, Map.of("2", NODE_B), NODE_B, NODE_A, SHARDS));
  }

  @Test
  void whenWhereShardsRunIsUnknownNothingIsAnOrphan() {
    String id = idIn("7", Set.of());
    Wakes wakes =
        EntityKeeper.decide(
            List.of(new Row(id, id, OLD)), SHARDS, null, Set.of(), Map.of(), STALE_BEFORE);
    assertEquals(new Wakes(List.of(), List.of(), List.of()), wakes);
  }
}
