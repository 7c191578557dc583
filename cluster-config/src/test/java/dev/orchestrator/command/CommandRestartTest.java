package dev.orchestrator.command;

import static dev.orchestrator.command.CommandTestSupport.awaitFinal;
import static dev.orchestrator.command.CommandTestSupport.get;
import static dev.orchestrator.command.CommandTestSupport.journal;
import static dev.orchestrator.command.CommandTestSupport.ofType;
import static dev.orchestrator.command.CommandTestSupport.submit;
import static dev.orchestrator.command.CommandTestSupport.types;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.command.CommandTestSupport.Event;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.TestNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable commands across a graceful restart of a dev node on the same data directory: a scheduled
 * command fires after the restart (not before its time), a later one stays scheduled, and a chain
 * whose parent was running when the node stopped completes: the parent runs again (its attempt was
 * interrupted) and its onSuccess child is created and runs with the parent's output.
 */
class CommandRestartTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String FIRST_INPUT = "{\"n\":1}";

  @TempDir Path dataDir;

  private Node node;

  @AfterEach
  void stopNode() throws Exception {
    if (node != null) {
      Node running = node;
      node = null;
      TestNodes.stop(running);
    }
  }

  @Test
  void scheduledCommandRunsAfterARestartAndALaterOneStaysScheduled() throws Exception {
    Api api = start();
    // Due once the node is down: a stop right after a start can take 10 s (a shard region that
    // still buffers messages for its coordinator, itself stopping, waits out its shutdown timeout).
    Instant due = Instant.now().plusSeconds(20).truncatedTo(ChronoUnit.MILLIS);
    Instant later = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MILLIS);
    JsonNode first =
        submit(
            api,
            "{\"name\":\"noop\",\"input\":" + FIRST_INPUT + ",\"scheduledAt\":\"" + due + "\"}");
    JsonNode second = submit(api, "{\"name\":\"noop\",\"scheduledAt\":\"" + later + "\"}");
    assertEquals("SCHEDULED", first.get("status").asText(), first.toString());
    assertEquals("SCHEDULED", second.get("status").asText(), second.toString());
    String firstId = first.get("id").asText();
    String secondId = second.get("id").asText();

    stop();
    Instant stopped = Instant.now();
    assertTrue(
        stopped.isBefore(due),
        "precondition: the node must be stopped before the first command is due ("
            + due
            + "), it stopped at "
            + stopped);

    api = start();
    Instant restarted = Instant.now();
    JsonNode ran = awaitFinal(api, firstId, DEADLINE);
    assertEquals("SUCCEEDED", ran.get("status").asText(), ran.toString());
    assertEquals(1, ran.get("attempts").asInt(), ran.toString());
    assertEquals(FIRST_INPUT, ran.get("output").toString(), ran.toString());
    Instant startedAt = Instant.parse(ran.get("startedAt").asText());
    assertFalse(
        startedAt.isBefore(due), "started at " + startedAt + ", before its scheduledAt " + due);
    assertEquals(due, Instant.parse(ran.get("scheduledAt").asText()), ran.toString());

    JsonNode waiting = get(api, secondId);
    assertEquals("SCHEDULED", waiting.get("status").asText(), waiting.toString());
    assertEquals(0, waiting.get("attempts").asInt(), waiting.toString());
    assertTrue(waiting.path("startedAt").isNull(), waiting.toString());

    List<Event> firstEvents = journal(node.services().database().dataSource(), firstId);
    assertEquals(
        List.of("Submitted", "AttemptStarted", "Succeeded"),
        types(firstEvents),
        "journal of first");
    Instant attemptWritten = firstEvents.get(1).written();
    assertTrue(
        attemptWritten.isAfter(stopped),
        "the attempt was journaled at "
            + attemptWritten
            + ", before the node stopped at "
            + stopped);
    assertEquals(
        List.of("Submitted"),
        types(journal(node.services().database().dataSource(), secondId)),
        "journal of second");
    System.out.printf(
        "CommandRestartTest: scheduled for %s, node stopped at %s, up again at %s, started at %s"
            + " (%d ms after it was due, %d ms after the restart)%n",
        due,
        stopped,
        restarted,
        startedAt,
        Duration.between(due, startedAt).toMillis(),
        Duration.between(restarted, startedAt).toMillis());
  }

  @Test
  void chainCompletesAcrossARestartWhileItsParentRuns() throws Exception {
    Api api = start();
    JsonNode accepted =
        submit(
            api,
            "{\"name\":\"sleep\",\"input\":{\"millis\":3000},"
                + "\"onSuccess\":{\"name\":\"noop\"},"
                + "\"onFailure\":{\"name\":\"noop\",\"input\":{\"failed\":true}}}");
    String id = accepted.get("id").asText();
    // The answer comes after Submitted and AttemptStarted are journaled: it runs already.
    assertEquals("RUNNING", accepted.get("status").asText(), accepted.toString());
    long stopStart = System.nanoTime();
    stop();
    long stopEnd = System.nanoTime();
    Instant stopped = Instant.now();

    api = start();
    JsonNode parent = awaitFinal(api, id, DEADLINE);
    assertEquals("SUCCEEDED", parent.get("status").asText(), parent.toString());
    // The first attempt was interrupted by the stop (it uses up no retry); the second succeeded.
    assertEquals(2, parent.get("attempts").asInt(), parent.toString());
    assertEquals("{\"sleptMillis\":3000}", parent.get("output").toString(), parent.toString());
    assertEquals(List.of(id + "-s"), children(parent), parent.toString());

    JsonNode child = awaitFinal(api, id + "-s", DEADLINE);
    assertEquals("SUCCEEDED", child.get("status").asText(), child.toString());
    assertEquals("noop", child.get("name").asText(), child.toString());
    assertEquals(id, child.get("parentId").asText(), child.toString());
    assertEquals(parent.get("output"), child.get("input"), "the child's input is the output");
    assertEquals(parent.get("output"), child.get("output"), "noop echoes its input");
    assertEquals(404, CommandTestSupport.status(api, id + "-f"), "no onFailure child");

    List<Event> events = journal(node.services().database().dataSource(), id);
    // Waiting may come in between when the entity restarts before this node's executor is listed.
    List<String> withoutWaiting = types(events).stream().filter(t -> !t.equals("Waiting")).toList();
    assertEquals(
        List.of("Submitted", "AttemptStarted", "AttemptFailed", "AttemptStarted", "Succeeded"),
        withoutWaiting,
        "journal of " + id + ": " + events);
    List<Event> starts = ofType(events, "AttemptStarted");
    assertEquals(1, starts.get(0).attempt());
    assertEquals(2, starts.get(1).attempt());
    assertTrue(
        starts.get(1).written().isAfter(stopped),
        "the second attempt started after the restart: " + events);
    Event lost = ofType(events, "AttemptFailed").get(0);
    assertEquals(1, lost.attempt(), lost.toString());
    assertTrue(lost.payload().path("interrupted").asBoolean(), "interrupted: " + lost);
    assertFalse(lost.payload().path("timedOut").asBoolean(), "not timed out: " + lost);
    assertTrue(
        lost.written().isAfter(stopped),
        "the lost attempt is recorded by the restarted node, after the stop: " + events);
    assertEquals(2, ofType(events, "Succeeded").get(0).attempt());
    System.out.printf(
        "CommandRestartTest: graceful stop took %d ms; parent events %s; child attempts %d%n",
        CommandTestSupport.millis(stopStart, stopEnd),
        types(events),
        child.get("attempts").asInt());
  }

  private static List<String> children(JsonNode view) {
    return StreamSupport.stream(view.get("children").spliterator(), false)
        .map(JsonNode::asText)
        .toList();
  }

  private Api start() throws Exception {
    node = TestNodes.start("dev", TestNodes.dev(dataDir));
    Api api = TestNodes.api(node);
    TestNodes.awaitReady(api);
    return api;
  }

  private void stop() throws Exception {
    Node running = node;
    node = null;
    TestNodes.stop(running);
  }
}
