package dev.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.ChildNode;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fencing with a paused process: the singleton's node of a three-node cluster (child JVMs, one
 * PostgreSQL) is stopped with SIGSTOP; the split brain resolver downs it, the singleton starts on a
 * survivor under a newer lease epoch, and that side starts every component (CMD_RUN). Then the
 * paused node is sent CMD_PAUSE for each component through its own API and woken with SIGCONT. It
 * knows it was paused, so its commands carry its old epoch: the components it can still reach
 * refuse them and record the refusal, the others never get them, and every component stays as the
 * new side left it. It learns that its lease was taken (its renewal with the old epoch is refused,
 * or, when the cluster stops its singleton first, its release finds another owner) and leaves the
 * new owner's lease as it was; it downs itself, exits, and rejoins when started again.
 *
 * <p>On waking, the node hands over the shard coordinators it held (the new side's hand-over
 * requests waited in its socket too), so its shard regions cannot learn where a shard runs any
 * more: a command for a shard whose home they never asked for waits until it times out (503; CI saw
 * this for all six). So the components are initialized through the node to be paused, which makes
 * its regions learn every component's shard home; they then send its stale commands straight to the
 * survivors' regions. Commands for shards it hosted itself meet them being handed off (503); should
 * none be refused all the same, it is sent CMD_PAUSE again, for every component, until one is
 * refused, it has left, or the survivors stop listening to it.
 *
 * <p>The survivors listen to a removed node for only {@code
 * akka.cluster.quarantine-removed-node-after} (5 s by default), after which none of its commands
 * reaches a component and the refusal this test is about cannot be seen. Lease take-over, the
 * test's own requests and the woken JVM catching up take 3-4 s of that on a quiet machine and more
 * on a loaded one, so these nodes listen for {@link #LISTEN_TO_REMOVED} (which also bounds the
 * resending), and keep a woken node's old epoch for longer than that ({@code
 * orchestrator.lease.pause-confirm-after}), as reference.conf requires of the two settings.
 */
class PausedNodeFencingIT {
  private static final Logger LOG = LoggerFactory.getLogger(PausedNodeFencingIT.class);

  private static final Duration DEADLINE = ChildCluster.DEADLINE;
  private static final int COMPONENTS = 6;
  private static final Duration LISTEN_TO_REMOVED = Duration.ofSeconds(30);
  private static final List<String> SETTINGS =
      List.of(
          "-Dakka.cluster.quarantine-removed-node-after=" + LISTEN_TO_REMOVED.toSeconds() + "s",
          "-Dorchestrator.lease.pause-confirm-after="
              + LISTEN_TO_REMOVED.plusSeconds(15).toSeconds()
              + "s");

  @TempDir Path temp;

  private ChildCluster cluster;
  private final ExecutorService requests = Executors.newCachedThreadPool();

  @AfterEach
  void cleanUp() throws Exception {
    requests.shutdownNow();
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aPausedSingletonNodeWakesUpFencedAndLeaves() throws Exception {
    cluster = ChildCluster.start(temp, "paused", 3, SETTINGS);
    String pausedAddress = cluster.awaitOneCluster();
    ChildNode paused = cluster.node(pausedAddress);
    List<Api> survivors = cluster.apisBut(pausedAddress);
    Api survivor = survivors.get(0);
    List<String> ids = IntStream.range(0, COMPONENTS).mapToObj(i -> "fenced-" + i).toList();
    for (String id : ids) {
      put(survivor, id);
      lifecycle(paused.api(), id, "CMD_INITIALIZED");
    }
    for (String id : ids) {
      Await.until(DEADLINE, () -> assertState(survivor, id, "INITIALIZED"));
    }
    long before = lease().epoch();

    signal(paused, "STOP");
    Await.until(DEADLINE, () -> assertTrue(lease().epoch() > before, "no new lease yet"));
    Lease after = lease();
    String ownerAddress = "akka://" + after.owner();
    assertNotEquals(pausedAddress, ownerAddress);
    for (Api api : survivors) {
      Await.until(DEADLINE, () -> assertEpoch(api, after.epoch()));
    }
    Api newSide = cluster.node(ownerAddress).api();
    List<CompletableFuture<HttpResponse<String>>> started = new ArrayList<>();
    for (String id : ids) {
      started.add(async(() -> lifecycle(newSide, id, "CMD_RUN")));
    }
    List<CompletableFuture<HttpResponse<String>>> stale = pauseAll(paused, ids);
    signal(paused, "CONT");
    for (CompletableFuture<HttpResponse<String>> run : started) {
      run.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    }

    List<String> answered = answers(ids, stale);
    long resendUntil = System.nanoTime() + LISTEN_TO_REMOVED.toNanos();
    while (answered.stream().noneMatch(answer -> answer.endsWith(" 409"))
        && answered.stream().noneMatch(answer -> answer.endsWith(" gone"))
        && System.nanoTime() - resendUntil < 0) {
      answered.addAll(answers(ids, pauseAll(paused, ids)));
    }
    List<String> refused = new ArrayList<>();
    for (String id : ids) {
      Await.until(DEADLINE, () -> assertUntouched(survivor, id, after.epoch()));
      if (refusals(survivor, id, before, after.epoch()) > 0) {
        refused.add(id);
      }
    }
    LOG.info(
        "Epoch {} -> {}; the woken node's answers {}; refused and recorded by {}",
        before,
        after.epoch(),
        answered,
        refused);
    assertFalse(
        refused.isEmpty(), "no CMD_PAUSE of the woken node reached a component: " + answered);

    assertTrue(paused.process().waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS), "still running");
    String log = paused.stdout();
    assertTrue(log.contains("This node was paused for"), () -> "no pause noticed" + warnings(log));
    assertTrue(
        log.contains("(epoch " + before + ") lost"),
        () -> "it never learned that its lease was taken" + warnings(log));
    assertEquals(after, lease(), "the woken node renewed or released the new owner's lease");

    cluster.restart(pausedAddress).awaitReady();
    cluster.awaitOneCluster();
    assertEpoch(cluster.node(pausedAddress).api(), after.epoch());
  }

  record Lease(String owner, long epoch) {}

  /**
   * The woken node's answers to one CMD_PAUSE per component, as "id status", or "id gone" when it
   * no longer answers at all (it has left): each is refused, none accepted.
   */
  private static List<String> answers(
      List<String> ids, List<CompletableFuture<HttpResponse<String>>> sent) throws Exception {
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      HttpResponse<String> answer;
      try {
        answer = sent.get(i).get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        assertTrue(e.getCause() instanceof UncheckedIOException, e::toString);
        answers.add(ids.get(i) + " gone");
        continue;
      }
      assertTrue(
          answer.statusCode() == 409 || answer.statusCode() == 503,
          "the woken node's CMD_PAUSE for " + ids.get(i) + " was not refused: " + answer.body());
      answers.add(ids.get(i) + " " + answer.statusCode());
    }
    return answers;
  }

  /** The warnings and errors in a node's log, for a failure message. */
  private static String warnings(String log) {
    return log.lines()
        .filter(line -> line.contains(" WARN ") || line.contains(" ERROR "))
        .map(line -> line.length() > 300 ? line.substring(0, 300) : line)
        .collect(Collectors.joining("\n", "; the woken node's warnings:\n", ""));
  }

  /** The singleton's lease row. */
  private Lease lease() throws Exception {
    try (Connection c = cluster.postgres().getPostgresDatabase().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT owner, epoch FROM leases WHERE name LIKE '%/system/singletonManager%'")) {
      assertTrue(rs.next(), "no singleton lease");
      return new Lease(rs.getString(1), rs.getLong(2));
    }
  }

  private static void put(Api api, String id) {
    HttpResponse<String> put =
        api.put(
            "/api/v1/components/" + id, "{\"driver\":\"simulated\",\"pollInterval\":\"200ms\"}");
    assertEquals(200, put.statusCode(), put.body());
  }

  /** Sends a lifecycle command until it is accepted (a moving shard answers 503 meanwhile). */
  private static HttpResponse<String> lifecycle(Api api, String id, String command) {
    List<HttpResponse<String>> accepted = new ArrayList<>();
    Await.until(
        DEADLINE,
        () -> {
          HttpResponse<String> sent = api.post(path(id), "{\"command\":\"" + command + "\"}");
          assertEquals(202, sent.statusCode(), sent::body);
          accepted.add(sent);
        });
    return accepted.get(0);
  }

  private static String path(String id) {
    return "/api/v1/components/" + id + "/lifecycle";
  }

  /** The node's commands carry {@code epoch}. */
  private static void assertEpoch(Api api, long epoch) {
    JsonNode view = ClusterNodes.cluster(api);
    assertEquals(epoch, view.path("epoch").asLong(), view::toString);
  }

  private static void assertState(Api api, String id, String state) {
    JsonNode view = Api.json(api.get("/api/v1/components/" + id));
    assertEquals(state, view.path("state").asText(), view::toString);
  }

  /** Running as the new side left it: RUN, wanted RUN, the new epoch. */
  private static void assertUntouched(Api api, String id, long epoch) {
    JsonNode view = Api.json(api.get("/api/v1/components/" + id));
    assertEquals("RUN", view.path("state").asText(), view::toString);
    assertEquals("RUN", view.path("desiredState").asText(), view::toString);
    assertEquals(epoch, view.path("epoch").asLong(), view::toString);
  }

  /**
   * The stale-epoch refusals the component recorded, checking that each is the woken node's
   * CMD_PAUSE with the old epoch against the new one.
   */
  private static long refusals(Api api, String id, long before, long after) {
    JsonNode view = Api.json(api.get("/api/v1/components/" + id));
    JsonNode history = Api.json(api.get("/api/v1/components/" + id + "/history"));
    JsonNode staleEpochs = history.path("staleEpochs");
    assertEquals(view.path("staleEpochRefusals").asLong(), staleEpochs.size(), history::toString);
    for (JsonNode refusal : staleEpochs) {
      assertEquals("CMD_PAUSE", refusal.path("command").asText(), history::toString);
      assertEquals(before, refusal.path("epoch").asLong(), history::toString);
      assertEquals(after, refusal.path("highestEpoch").asLong(), history::toString);
    }
    return staleEpochs.size();
  }

  /** CMD_PAUSE for every component through {@code node}'s API, all sent at once. */
  private List<CompletableFuture<HttpResponse<String>>> pauseAll(ChildNode node, List<String> ids) {
    return ids.stream()
        .map(id -> async(() -> node.api().post(path(id), "{\"command\":\"CMD_PAUSE\"}")))
        .toList();
  }

  private <T> CompletableFuture<T> async(Supplier<T> call) {
    return CompletableFuture.supplyAsync(call, requests);
  }

  private static void signal(ChildNode node, String signal) throws Exception {
    Process kill =
        new ProcessBuilder("kill", "-" + signal, Long.toString(node.process().pid())).start();
    assertEquals(0, kill.waitFor(), "kill -" + signal);
  }
}
