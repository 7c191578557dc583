package dev.orchestrator.command;

import static dev.orchestrator.command.CommandTestSupport.awaitFinal;
import static dev.orchestrator.command.CommandTestSupport.get;
import static dev.orchestrator.command.CommandTestSupport.journal;
import static dev.orchestrator.command.CommandTestSupport.ofType;
import static dev.orchestrator.command.CommandTestSupport.submit;
import static dev.orchestrator.command.CommandTestSupport.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.command.CommandTestSupport.Event;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.ChildNode;
import dev.orchestrator.node.testkit.Ports;
import dev.orchestrator.node.testkit.TestNodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable commands survive {@code kill -9}: (a) of a dev node in the middle of a burst of chained
 * commands (every acknowledged command and its onSuccess child end SUCCEEDED on the next node on
 * the same data directory), (b) of the cluster node executing a command: it runs again on another
 * node with the target role once the dead node is downed, with attempts == 2, and quick commands
 * submitted right before the kill are not lost.
 */
class CommandCrashIT {
  private static final Duration DEADLINE = Duration.ofSeconds(120);
  private static final String SYSTEM = "orchestrator";

  @TempDir Path temp;

  private final List<ChildNode> children = Collections.synchronizedList(new ArrayList<>());
  private final List<Node> nodes = Collections.synchronizedList(new ArrayList<>());
  private EmbeddedPostgres postgres;

  /**
   * Kills child JVMs, stops in-process nodes (newest first), then the database, whatever failed.
   */
  @AfterEach
  void cleanUp() throws Exception {
    List<Throwable> failures = new ArrayList<>();
    for (ChildNode child : children) {
      try {
        child.close();
      } catch (RuntimeException | Error e) {
        failures.add(e);
      }
    }
    List<Node> running = new ArrayList<>(nodes);
    Collections.reverse(running);
    for (Node node : running) {
      try {
        TestNodes.stop(node);
      } catch (Exception e) {
        failures.add(e);
      }
    }
    if (postgres != null) {
      try {
        postgres.close();
      } catch (Exception e) {
        failures.add(e);
      }
    }
    if (!failures.isEmpty()) {
      AssertionError error =
          new AssertionError("clean-up failed: " + failures.get(0), failures.get(0));
      failures.stream().skip(1).forEach(error::addSuppressed);
      throw error;
    }
  }

  // ---------------------------------------------------------------- (a) dev node, kill -9

  private static final int COMMANDS = 200;
  private static final int CLIENTS = 4;
  private static final int KILL_AFTER = 120;

  @Test
  void devNodeKilledInABurstOfChainsLosesNoAcknowledgedCommandNorChild() throws Exception {
    Path dataDir = temp.resolve("dev");
    ChildNode first = devChild("command-crash-first", dataDir);
    Api api = first.api();

    Set<String> acked = ConcurrentHashMap.newKeySet();
    Map<String, Integer> inputs = new ConcurrentHashMap<>();
    ConcurrentLinkedQueue<String> refused = new ConcurrentLinkedQueue<>();
    AtomicInteger brokenOff = new AtomicInteger();
    AtomicInteger next = new AtomicInteger();
    CountDownLatch enough = new CountDownLatch(KILL_AFTER);
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    long burstStart = System.nanoTime();
    AtomicLong firstAck = new AtomicLong();
    Instant killedAt;
    try {
      for (int c = 0; c < CLIENTS; c++) {
        clients.execute(
            () -> {
              int n;
              while ((n = next.getAndIncrement()) < COMMANDS) {
                String body =
                    "{\"name\":\"noop\",\"input\":{\"n\":"
                        + n
                        + "},\"onSuccess\":{\"name\":\"noop\"}}";
                HttpResponse<String> response;
                try {
                  response = api.post("/api/v1/commands", body);
                } catch (RuntimeException e) {
                  brokenOff.incrementAndGet(); // the node is gone: no answer, nothing acknowledged
                  return;
                }
                if (response.statusCode() == 202) {
                  String id = Api.json(response).get("id").asText();
                  inputs.put(id, n);
                  acked.add(id);
                  firstAck.compareAndSet(0, System.nanoTime());
                  enough.countDown();
                } else {
                  refused.add(response.statusCode() + " " + response.body());
                }
              }
            });
      }
      assertTrue(
          enough.await(DEADLINE.toSeconds(), TimeUnit.SECONDS),
          "fewer than " + KILL_AFTER + " submissions acknowledged; refused: " + refused);
      long killAt = System.nanoTime();
      int ackedAtKill = acked.size();
      killedAt = Instant.now();
      first.kill9();
      clients.shutdown();
      assertTrue(clients.awaitTermination(60, TimeUnit.SECONDS), "clients did not stop");
      System.out.printf(
          "CommandCrashIT(a): first acknowledgement %d ms after the first submit; killed %d ms"
              + " after it with %d acknowledged (%d by the end), %d requests broken off, %d"
              + " refused %s%n",
          CommandTestSupport.millis(burstStart, firstAck.get()),
          CommandTestSupport.millis(burstStart, killAt),
          ackedAtKill,
          acked.size(),
          brokenOff.get(),
          refused.size(),
          refused);
    } finally {
      clients.shutdownNow();
    }
    assertTrue(acked.size() >= KILL_AFTER, "acknowledged: " + acked.size());

    long restartAt = System.nanoTime();
    ChildNode second = devChild("command-crash-second", dataDir);
    Api restarted = second.api();
    long ready = System.nanoTime();

    // Every acknowledged command and its onSuccess child end SUCCEEDED (none lost, none half-done).
    Map<String, JsonNode> parents = new ConcurrentHashMap<>();
    Map<String, JsonNode> chained = new ConcurrentHashMap<>();
    Set<String> open = ConcurrentHashMap.newKeySet();
    open.addAll(acked);
    Await.until(
        DEADLINE,
        () -> {
          for (String id : new ArrayList<>(open)) {
            JsonNode parent =
                parents.containsKey(id) ? parents.get(id) : finalOrNull(restarted, id);
            if (parent == null) {
              continue;
            }
            parents.put(id, parent);
            JsonNode child = finalOrNull(restarted, id + "-s");
            if (child != null) {
              chained.put(id, child);
              open.remove(id);
            }
          }
          assertTrue(
              open.isEmpty(),
              open.size()
                  + " acknowledged commands (or their -s children) not finished, e.g. "
                  + new TreeSet<>(open).stream().limit(5).toList());
        });
    long done = System.nanoTime();

    int rerunParents = 0;
    int rerunChildren = 0;
    int parentsFinishedLater = 0;
    int childrenCreatedLater = 0;
    int childrenFinishedLater = 0;
    for (String id : acked) {
      JsonNode parent = parents.get(id);
      JsonNode child = chained.get(id);
      assertEquals("SUCCEEDED", parent.get("status").asText(), parent.toString());
      assertEquals(List.of(id + "-s"), texts(parent.get("children")), parent.toString());
      String expectedOutput = "{\"n\":" + inputs.get(id) + "}";
      assertEquals(expectedOutput, parent.get("output").toString(), parent.toString());
      assertEquals("SUCCEEDED", child.get("status").asText(), child.toString());
      assertEquals(id, child.get("parentId").asText(), child.toString());
      assertEquals(expectedOutput, child.get("input").toString(), "input of " + child);
      rerunParents += parent.get("attempts").asInt() > 1 ? 1 : 0;
      rerunChildren += child.get("attempts").asInt() > 1 ? 1 : 0;
      parentsFinishedLater += after(parent, "finishedAt", killedAt) ? 1 : 0;
      childrenCreatedLater += after(child, "createdAt", killedAt) ? 1 : 0;
      childrenFinishedLater += after(child, "finishedAt", killedAt) ? 1 : 0;
    }
    System.out.printf(
        "CommandCrashIT(a): restarted node ready in %d ms; all %d acknowledged chains SUCCEEDED"
            + " %d ms after it was ready; unfinished at the kill: %d parents, %d children (%d"
            + " created only after the restart); %d parents and %d children ran a second"
            + " attempt%n",
        CommandTestSupport.millis(restartAt, ready),
        acked.size(),
        CommandTestSupport.millis(ready, done),
        parentsFinishedLater,
        childrenFinishedLater,
        childrenCreatedLater,
        rerunParents,
        rerunChildren);

    assertEquals(0, second.stop(), "SIGTERM stops the node gracefully (exit 0)");
  }

  private static boolean after(JsonNode view, String field, Instant instant) {
    return Instant.parse(view.get(field).asText()).isAfter(instant);
  }

  /** The command if it is readable and final, else null. */
  private static JsonNode finalOrNull(Api api, String id) {
    HttpResponse<String> response = api.get("/api/v1/commands/" + id);
    if (response.statusCode() != 200) {
      return null;
    }
    JsonNode view = Api.json(response);
    return CommandTestSupport.FINAL.contains(view.path("status").asText()) ? view : null;
  }

  // --------------------------------------------------- (b) cluster, the executing node dies

  @Test
  void executingNodeKilledTheCommandRunsAgainOnAnotherNodeWithTheRole() throws Exception {
    postgres =
        EmbeddedPostgres.builder()
            .setServerConfig("fsync", "on")
            .setServerConfig("synchronous_commit", "on")
            .setServerConfig("max_connections", "300")
            .start();
    String jdbcUrl = "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    int seedPort = Ports.free();
    String seed = "127.0.0.1:" + seedPort;

    Node a = inProcess("a", seedPort, jdbcUrl, seed, "gateway,orchestrator,worker");
    Api api = TestNodes.api(a);
    String aAddress = address(seedPort);
    Map<String, String> env = new HashMap<>();
    env.put("ORCH_MODE", "cluster");
    env.put("ORCH_DB_URL", jdbcUrl);
    env.put("ORCH_DB_USER", "postgres");
    env.put("ORCH_DB_PASSWORD", "");
    env.put("ORCH_SEED_NODES", seed);
    env.put("ORCH_ROLES", "worker,batch");
    env.put("ORCH_ADMIN_TOKEN", TestNodes.ADMIN_TOKEN);
    ChildNode b =
        child(
            ChildNode.start(
                "command-crash-b",
                List.of("-cp", System.getProperty("java.class.path"), "dev.orchestrator.node.Main"),
                temp.resolve("b"),
                env));
    int cPort = Ports.free();
    Node c = inProcess("c", cPort, jdbcUrl, seed, "gateway,worker");

    // B serves no HTTP (no gateway role): it is ready when A sees it Up with its roles.
    AtomicReference<String> bAddress = new AtomicReference<>();
    Await.until(
        DEADLINE,
        () -> {
          assertTrue(b.process().isAlive(), "B exited: " + tail(b));
          Map<String, JsonNode> up = upMembers(api);
          assertEquals(
              Set.of(aAddress, address(cPort)),
              withoutBatch(up),
              "Up members without batch: " + up.keySet());
          List<String> batch = withBatch(up);
          assertEquals(1, batch.size(), "one node with batch: " + up.values());
          bAddress.set(batch.get(0));
        });
    // The command entity may live on A or C: both must know B's executor (the receptionist's
    // listing follows membership by a moment), or the submit answers PENDING for a moment.
    Await.until(
        DEADLINE,
        () -> {
          for (Node node : List.of(a, c)) {
            assertTrue(
                ExecutorDirectory.get(node.system()).pick("batch").isPresent(),
                "B's executor known on " + node.system().address());
          }
        });

    JsonNode accepted =
        submit(
            api,
            "{\"name\":\"sleep\",\"input\":{\"millis\":"
                + SLEEP_MILLIS
                + "},\"target\":\"batch\",\"timeout\":\"3m\"}");
    String id = accepted.get("id").asText();
    assertEquals("RUNNING", accepted.get("status").asText(), accepted.toString());
    JsonNode running = get(api, id);
    assertEquals(1, running.get("attempts").asInt(), running.toString());

    int dPort = Ports.free();
    long dStart = System.nanoTime();
    inProcess("d", dPort, jdbcUrl, seed, "worker,batch");
    String dAddress = address(dPort);
    Await.until(
        DEADLINE,
        () -> assertTrue(withBatch(upMembers(api)).contains(dAddress), "D is not Up yet"));
    long dUp = System.nanoTime();

    // A few quick commands right before the kill: some run on B, or have their entity there.
    List<String> quick = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      String target = i % 2 == 0 ? "worker" : "batch";
      quick.add(
          submit(
                  api,
                  "{\"name\":\"noop\",\"input\":{\"q\":" + i + "},\"target\":\"" + target + "\"}")
              .get("id")
              .asText());
    }
    JsonNode beforeKill = get(api, id);
    assertEquals("RUNNING", beforeKill.get("status").asText(), "still running on B: " + beforeKill);
    assertEquals(1, beforeKill.get("attempts").asInt(), beforeKill.toString());

    long killedAtMillis = System.currentTimeMillis();
    b.kill9();
    // When A stops showing B as Up, and when B is gone from its view (for the report).
    AtomicLong bNotUp = new AtomicLong();
    AtomicLong bGone = new AtomicLong();
    CompletableFuture<Void> watch =
        CompletableFuture.runAsync(
            () ->
                Await.until(
                    DEADLINE,
                    () -> {
                      HttpResponse<String> view = api.get("/api/v1/cluster");
                      assertEquals(200, view.statusCode());
                      String status = null;
                      for (JsonNode member : Api.json(view).get("members")) {
                        if (member.get("address").asText().equals(bAddress.get())) {
                          status = member.get("status").asText();
                        }
                      }
                      long now = System.currentTimeMillis();
                      if (!"Up".equals(status)) {
                        bNotUp.compareAndSet(0, now);
                      }
                      if (status != null) {
                        throw new AssertionError("B is still a member: " + status);
                      }
                      bGone.compareAndSet(0, now);
                    }));

    JsonNode done = awaitFinal(api, id, DEADLINE);
    long doneAtMillis = System.currentTimeMillis();
    assertEquals("SUCCEEDED", done.get("status").asText(), done.toString());
    assertEquals(2, done.get("attempts").asInt(), done.toString());
    assertEquals("{\"sleptMillis\":" + SLEEP_MILLIS + "}", done.get("output").toString());

    List<Event> events = journal(postgres.getPostgresDatabase(), id);
    List<String> withoutWaiting = types(events).stream().filter(t -> !t.equals("Waiting")).toList();
    assertEquals(
        List.of("Submitted", "AttemptStarted", "AttemptFailed", "AttemptStarted", "Succeeded"),
        withoutWaiting,
        "journal of " + id + ": " + events);
    List<Event> starts = ofType(events, "AttemptStarted");
    assertEquals(bAddress.get(), starts.get(0).payload().path("node").asText(), "attempt 1 on B");
    assertEquals(2, starts.get(1).attempt());
    assertEquals(dAddress, starts.get(1).payload().path("node").asText(), "attempt 2 on D");
    Event lost = ofType(events, "AttemptFailed").get(0);
    assertTrue(lost.payload().path("interrupted").asBoolean(), lost.toString());
    assertEquals(1, lost.attempt(), lost.toString());

    for (String q : quick) {
      JsonNode view = awaitFinal(api, q, DEADLINE);
      assertEquals("SUCCEEDED", view.get("status").asText(), view.toString());
    }
    int quickRerun = 0;
    for (String q : quick) {
      quickRerun += get(api, q).get("attempts").asInt() > 1 ? 1 : 0;
    }
    watch.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
    boolean moved = !events.get(0).writer().equals(lost.writer());

    Instant killed = Instant.ofEpochMilli(killedAtMillis);
    System.out.printf(
        "CommandCrashIT(b): D Up %d ms after its start; kill -9 of B at %s; A saw B not Up"
            + " after %d ms and removed after %d ms; the entity %s; the interruption was"
            + " journaled %d ms after the kill and attempt 2 started on D %d ms after the kill"
            + " (AttemptStarted write_timestamp); SUCCEEDED %d ms after the kill; %d of %d quick"
            + " commands ran twice, none lost%n",
        CommandTestSupport.millis(dStart, dUp),
        killed,
        bNotUp.get() - killedAtMillis,
        bGone.get() - killedAtMillis,
        moved ? "was on B and recovered on another node" : "stayed on its node (A, C or D)",
        Duration.between(killed, lost.written()).toMillis(),
        Duration.between(killed, starts.get(1).written()).toMillis(),
        doneAtMillis - killedAtMillis,
        quickRerun,
        quick.size());
  }

  /** Long enough for D to start and join before B is killed while it still runs attempt 1. */
  private static final int SLEEP_MILLIS = 30_000;

  private Node inProcess(String name, int nodePort, String jdbcUrl, String seed, String roles)
      throws Exception {
    Node node =
        TestNodes.start(
            "cluster",
            CommandTestSupport.clusterNode(nodePort, jdbcUrl, seed, roles, temp.resolve(name)));
    nodes.add(node);
    return node;
  }

  /**
   * A dev node in a child JVM (as {@link ChildNode#startMain}), registered for the clean-up before
   * it is awaited, so that one that never gets ready is killed too.
   */
  private ChildNode devChild(String name, Path dataDir) {
    ChildNode node =
        child(
            ChildNode.start(
                name,
                List.of("-cp", System.getProperty("java.class.path"), "dev.orchestrator.node.Main"),
                dataDir,
                Map.of("ORCH_ADMIN_TOKEN", TestNodes.ADMIN_TOKEN)));
    node.awaitReady();
    return node;
  }

  private ChildNode child(ChildNode node) {
    children.add(node);
    return node;
  }

  private static String address(int nodePort) {
    return "akka://" + SYSTEM + "@127.0.0.1:" + nodePort;
  }

  /** Up members seen by {@code api}, by address. */
  private static Map<String, JsonNode> upMembers(Api api) {
    HttpResponse<String> response = api.get("/api/v1/cluster");
    assertEquals(200, response.statusCode(), response.body());
    Map<String, JsonNode> up = new HashMap<>();
    for (JsonNode member : Api.json(response).get("members")) {
      if (member.get("status").asText().equals("Up")) {
        up.put(member.get("address").asText(), member);
      }
    }
    return up;
  }

  private static List<String> withBatch(Map<String, JsonNode> members) {
    return members.entrySet().stream()
        .filter(e -> texts(e.getValue().get("roles")).contains("batch"))
        .map(Map.Entry::getKey)
        .toList();
  }

  private static Set<String> withoutBatch(Map<String, JsonNode> members) {
    Set<String> addresses = new HashSet<>(members.keySet());
    addresses.removeAll(withBatch(members));
    return addresses;
  }

  private static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(value -> values.add(value.asText()));
    return values;
  }

  private static String tail(ChildNode node) {
    String text = node.stderr();
    return text.length() <= 2000 ? text : text.substring(text.length() - 2000);
  }
}
