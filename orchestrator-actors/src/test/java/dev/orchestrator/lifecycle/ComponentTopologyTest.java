package dev.orchestrator.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.orchestrator.db.TestPostgres;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ComponentTopology#read} on a real PostgreSQL: a burst of callers shares reads, and a
 * caller after a read ended gets a new one.
 */
class ComponentTopologyTest {
  private static final Duration WITHIN = Duration.ofSeconds(60);

  @TempDir static Path tempDir;
  private static TestPostgres db;

  private final AtomicInteger queries = new AtomicInteger();
  private final CountDownLatch gate = new CountDownLatch(1);
  private ExecutorService pool;

  /** The blocking pool: counts the queries, and holds them until {@link #gate} opens. */
  private final Executor blocking =
      task -> {
        queries.incrementAndGet();
        pool.execute(
            () -> {
              try {
                if (gate.await(WITHIN.toSeconds(), TimeUnit.SECONDS)) {
                  task.run();
                }
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
      };

  @BeforeAll
  static void startDatabase() throws Exception {
    db = TestPostgres.start(tempDir.resolve("pg"));
  }

  @AfterAll
  static void stopDatabase() throws Exception {
    if (db != null) {
      db.close();
    }
  }

  @BeforeEach
  void setUp() throws SQLException {
    pool = Executors.newFixedThreadPool(4);
    db.execute("DELETE FROM components");
    insert("a");
    insert("b");
  }

  @AfterEach
  void tearDown() {
    pool.shutdownNow();
  }

  @Test
  void callersThatComeWhileAReadIsUnderWayShareTheNextRead() throws Exception {
    ComponentTopology topology = new ComponentTopology(db.dataSource(), blocking);
    List<CompletableFuture<Map<String, ComponentTopology.Node>>> reads = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      reads.add(topology.read().toCompletableFuture());
    }
    gate.countDown();
    for (CompletableFuture<Map<String, ComponentTopology.Node>> read : reads) {
      assertEquals(Set.of("a", "b"), read.get(WITHIN.toSeconds(), TimeUnit.SECONDS).keySet());
    }
    // The first caller's read, and one for the 49 that came while it was under way.
    assertEquals(2, queries.get());
  }

  @Test
  void aCallerAfterAReadEndedSeesWhatWasRegisteredMeanwhile() throws Exception {
    gate.countDown();
    ComponentTopology topology = new ComponentTopology(db.dataSource(), blocking);
    assertEquals(
        Set.of("a", "b"),
        topology.read().toCompletableFuture().get(WITHIN.toSeconds(), TimeUnit.SECONDS).keySet());
    insert("c");
    assertEquals(
        Set.of("a", "b", "c"),
        topology.read().toCompletableFuture().get(WITHIN.toSeconds(), TimeUnit.SECONDS).keySet());
    assertEquals(2, queries.get());
  }

  private static void insert(String id) throws SQLException {
    db.execute(
        "INSERT INTO components (id, driver, groups, depends_on, poll_interval_ms, state,"
            + " registered_at, updated_at) VALUES ('"
            + id
            + "', 'simulated', '{g}', '{}', 1000, 'STOPPED', now(), now())");
  }
}
