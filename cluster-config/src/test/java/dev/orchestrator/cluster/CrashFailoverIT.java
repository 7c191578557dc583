package dev.orchestrator.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.ChildNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the singleton's node in a three-node cluster (child JVMs, one PostgreSQL)
 * under a continuous load of durable commands: the singleton answers again on a survivor, every
 * acknowledged command ends SUCCEEDED, and a scenario run that the dead node was running (in the
 * middle of a wait step) resumes elsewhere and succeeds. Prints the time from the kill to the
 * member seen unreachable, downed (proof of death) and removed, and the singleton answering. The
 * system property {@code failover.childJvmArgs} is passed to the nodes ({@link ChildCluster}).
 */
class CrashFailoverIT {
  private static final Duration DEADLINE = ChildCluster.DEADLINE;
  private static final int MAX_RUNS = 30;
  private static final String SCENARIO = "failover-wait";
  private static final Pattern PROOF =
      Pattern.compile(
          "(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*Proof of death: (\\S+) .* (\\d+) ms after it was seen"
              + " unreachable");

  @TempDir Path temp;

  private ChildCluster cluster;

  @AfterEach
  void cleanUp() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void theSingletonsNodeKilledNothingAcknowledgedIsLostAndItsRunResumes() throws Exception {
    cluster = ChildCluster.start(temp, "failover", 3);
    Map<String, ChildNode> byAddress = cluster.nodes();
    String singleton = cluster.awaitOneCluster();
    ChildNode victim = byAddress.get(singleton);
    List<Api> survivors = cluster.apisBut(singleton);
    Api api = survivors.get(0);

    defineWaitingScenario(api);
    List<String> runs = new ArrayList<>();
    String victimRun = startRunsUntilOneRunsOn(victim, api, runs);
    for (String run : runs) {
      Await.until(DEADLINE, () -> assertWaiting(api, run));
    }

    long killedAt;
    LocalTime killedClock;
    try (CommandLoad load = CommandLoad.start(survivors)) {
      Await.until(DEADLINE, () -> assertTrue(load.acknowledged.size() >= 50, "warming up"));
      try (FailoverWatch watch = FailoverWatch.start(survivors, singleton)) {
        killedClock = LocalTime.now();
        killedAt = System.nanoTime();
        victim.kill9();
        Await.until(DEADLINE, () -> assertTrue(watch.done(), "failover not seen yet"));
        int ackedAtRecovery = load.acknowledged.size();
        Await.until(
            DEADLINE,
            () -> assertTrue(load.acknowledged.size() >= ackedAtRecovery + 50, "load resumed"));
        report(watch, killedAt, killedClock, survivorsOutput(byAddress, singleton), singleton);
        assertNotEquals(singleton, watch.newSingleton());
      }
      load.close();
      System.out.printf(
          "CrashFailoverIT: %d commands acknowledged, %d refused, %d broken off%n",
          load.acknowledged.size(), load.refused.get(), load.brokenOff.get());
      Set<String> open = new HashSet<>(load.acknowledged);
      Await.until(DEADLINE, () -> assertAllSucceeded(api, open));
    }

    Await.until(
        DEADLINE,
        () -> {
          HttpResponse<String> sent =
              api.post("/api/v1/components/late/lifecycle", "{\"command\":\"CMD_INITIALIZED\"}");
          assertEquals(202, sent.statusCode(), sent::body);
        });
    for (String run : runs) {
      Await.until(DEADLINE, () -> assertSucceeded(api, run));
    }
    JsonNode resumed = Api.json(api.get("/api/v1/runs/" + victimRun));
    JsonNode steps = resumed.get("steps");
    assertEquals(3, steps.size(), steps::toString);
    assertTrue(steps.get(1).path("reattempted").asBoolean(), "the wait was resumed: " + steps);
    assertEquals(1, steps.get(0).get("attempts").asInt(), "a finished step is not repeated");
    System.out.printf(
        "CrashFailoverIT: %d runs succeeded, %s (on the killed node) resumed at its wait%n",
        runs.size(), victimRun);
  }

  private static void defineWaitingScenario(Api api) {
    HttpResponse<String> put =
        api.put("/api/v1/components/late", "{\"driver\":\"simulated\",\"pollInterval\":\"200ms\"}");
    assertEquals(200, put.statusCode(), put.body());
    HttpResponse<String> scenario =
        api.put(
            "/api/v1/scenarios/" + SCENARIO,
            """
            {"name": "%s", "trigger": {"type": "manual"},
             "actions": [
               {"type": "log_event", "level": "warning", "message": "run started"},
               {"type": "wait_for_state", "target": "late", "state": "INITIALIZED", "timeout": "10m"},
               {"type": "log_event", "message": "after the wait"}]}
            """
                .formatted(SCENARIO));
    assertTrue(scenario.statusCode() / 100 == 2, scenario::body);
  }

  /**
   * Starts runs until one of them is hosted by {@code victim} (its first step logs there), since
   * sharding, not the test, places them; returns that run.
   */
  private static String startRunsUntilOneRunsOn(ChildNode victim, Api api, List<String> runs) {
    for (int i = 0; i < MAX_RUNS; i++) {
      HttpResponse<String> run = api.post("/api/v1/scenarios/" + SCENARIO + "/run", "{}");
      assertEquals(202, run.statusCode(), run.body());
      String id = Api.json(run).get("runId").asText();
      runs.add(id);
      Await.until(DEADLINE, () -> assertWaiting(api, id));
      if (victim.stdout().contains(id + "] run started")) {
        return id;
      }
    }
    throw new AssertionError("none of " + MAX_RUNS + " runs started on the singleton's node");
  }

  /** The run is in its wait step (journaled as started, not finished). */
  private static void assertWaiting(Api api, String run) {
    JsonNode view = Api.json(api.get("/api/v1/runs/" + run));
    assertEquals(2, view.path("steps").size(), view::toString);
    assertEquals("RUNNING", view.get("steps").get(1).get("status").asText(), view::toString);
  }

  private static void assertSucceeded(Api api, String run) {
    JsonNode view = Api.json(api.get("/api/v1/runs/" + run));
    assertEquals("SUCCEEDED", view.path("status").asText(), view::toString);
  }

  /** Removes the commands that succeeded from {@code open}; fails on a final failure at once. */
  private static void assertAllSucceeded(Api api, Set<String> open) {
    for (String id : new ArrayList<>(open)) {
      HttpResponse<String> response = api.get("/api/v1/commands/" + id);
      if (response.statusCode() == 200) {
        String status = Api.json(response).path("status").asText();
        if (status.equals("SUCCEEDED")) {
          open.remove(id);
        } else if (Set.of("FAILED", "CANCELLED", "TIMED_OUT").contains(status)) {
          throw new IllegalStateException(id + " ended " + status + ": " + response.body());
        }
      }
    }
    assertTrue(open.isEmpty(), open.size() + " acknowledged commands not SUCCEEDED yet: " + open);
  }

  private static String survivorsOutput(Map<String, ChildNode> byAddress, String victim) {
    StringBuilder text = new StringBuilder();
    byAddress.forEach((address, node) -> text.append(address.equals(victim) ? "" : node.stdout()));
    return text.toString();
  }

  private static void report(
      FailoverWatch watch, long killedAt, LocalTime killedClock, String logs, String victim) {
    String proof = "no proof-of-death line (downed by the split brain resolver?)";
    Matcher m = PROOF.matcher(logs);
    long best = Long.MAX_VALUE;
    while (m.find()) {
      if (!m.group(2).equals(victim)) {
        continue;
      }
      long downed = Duration.between(killedClock, LocalTime.parse(m.group(1))).toMillis();
      if (downed < best) {
        best = downed;
        long unreachable = downed - Long.parseLong(m.group(3));
        proof = "unreachable after " + unreachable + " ms, proven dead and downed after " + downed;
      }
    }
    System.out.printf(
        "CrashFailoverIT: kill -9 of the singleton's node: %s ms; seen not Up after %d ms,"
            + " removed after %d ms; singleton answering on %s after %d ms%n",
        proof,
        millis(killedAt, watch.notUp.get()),
        millis(killedAt, watch.removed.get()),
        watch.newSingleton(),
        millis(killedAt, watch.singletonAnswering.get()));
  }

  private static long millis(long from, long to) {
    return TimeUnit.NANOSECONDS.toMillis(to - from);
  }
}
