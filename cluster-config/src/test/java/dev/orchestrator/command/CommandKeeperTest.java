package dev.orchestrator.command;

import static dev.orchestrator.command.CommandTestSupport.MAPPER;
import static dev.orchestrator.command.CommandTestSupport.awaitFinal;
import static dev.orchestrator.command.CommandTestSupport.journal;
import static dev.orchestrator.command.CommandTestSupport.types;
import static dev.orchestrator.command.CommandTestSupport.writeJournal;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.TestNodes;
import dev.orchestrator.protocol.command.CommandEvent.AttemptStarted;
import dev.orchestrator.protocol.command.CommandEvent.Child;
import dev.orchestrator.protocol.command.CommandEvent.Submitted;
import dev.orchestrator.protocol.command.CommandEvent.Succeeded;
import dev.orchestrator.protocol.command.CommandSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link CommandKeeper} starts the commands whose entity no node runs, from the read side
 * alone. The journal gets events as a node that died right after writing them would have left them,
 * written for the command's persistence id by a test actor (no command entity ever runs before the
 * keeper wakes it): a command accepted but never started, and a parent that finished with a chained
 * child it never submitted. Both must run to the end without any request for them.
 */
class CommandKeeperTest {
  private static final Duration DEADLINE = Duration.ofSeconds(90);

  @TempDir Path dataDir;

  private Node node;

  @AfterEach
  void stopNode() throws Exception {
    if (node != null) {
      TestNodes.stop(node);
    }
  }

  @Test
  void anAcceptedCommandThatNoEntityRunsIsStartedAndRuns() throws Exception {
    Api api = start();
    Instant now = Instant.now();
    writeJournal(
        node.system(),
        "kept-1",
        new Submitted("kept-1", spec("{\"k\":1}"), null, Duration.ofSeconds(30), now));

    awaitSucceededInJournal("kept-1");
    JsonNode done = awaitFinal(api, "kept-1", DEADLINE);
    assertEquals("SUCCEEDED", done.path("status").asText(), done::toString);
    assertEquals(1, done.path("attempts").asInt(), done::toString);
    assertEquals(
        List.of("Submitted", "AttemptStarted", "Succeeded"),
        types(journal(node.services().database().dataSource(), "kept-1")));
  }

  @Test
  void aParentThatFinishedWithoutSubmittingItsChildIsStartedAndSubmitsIt() throws Exception {
    Api api = start();
    Instant now = Instant.now();
    CommandSpec child = spec("{\"from\":\"parent\"}");
    CommandSpec parent =
        new CommandSpec("noop", null, null, null, null, 0, null, null, child, null, null);
    writeJournal(
        node.system(),
        "kept-p",
        new Submitted("kept-p", parent, null, Duration.ofSeconds(30), now),
        new AttemptStarted("kept-p", 1, "gone", now),
        new Succeeded("kept-p", 1, null, List.of(new Child("kept-p-s", child)), now));

    awaitSucceededInJournal("kept-p-s");
    JsonNode done = awaitFinal(api, "kept-p-s", DEADLINE);
    assertEquals("SUCCEEDED", done.path("status").asText(), done::toString);
    assertEquals("kept-p", done.path("parentId").asText(), done::toString);
    assertEquals(MAPPER.readTree("{\"from\":\"parent\"}"), done.path("input"), done::toString);
    assertEquals(
        List.of("Submitted", "AttemptStarted", "Succeeded"),
        types(journal(node.services().database().dataSource(), "kept-p")),
        "the parent wrote nothing more: it only submitted its child");
  }

  /**
   * Waits on the journal, not on the API: a GET starts the entity it asks, which would do the
   * keeper's work.
   */
  private void awaitSucceededInJournal(String id) {
    Await.until(
        DEADLINE,
        () -> {
          List<String> types = types(journal(node.services().database().dataSource(), id));
          if (!types.contains("Succeeded")) {
            throw new AssertionError(id + " has journaled " + types);
          }
        });
  }

  private Api start() throws Exception {
    node = TestNodes.startReadyDev(dataDir);
    Api api = TestNodes.api(node);
    return api;
  }

  private static CommandSpec spec(String input) throws Exception {
    return new CommandSpec(
        "noop",
        input == null ? null : MAPPER.readTree(input),
        null,
        null,
        null,
        0,
        null,
        null,
        null,
        null,
        null);
  }
}
