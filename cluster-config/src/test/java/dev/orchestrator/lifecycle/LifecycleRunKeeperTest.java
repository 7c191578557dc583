package dev.orchestrator.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.persistence.typed.PersistenceId;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.TestJournal;
import dev.orchestrator.node.testkit.TestNodes;
import dev.orchestrator.protocol.component.LifecycleCommand;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.Started;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.StepStarted;
import dev.orchestrator.protocol.lifecycle.LifecycleRunSpec;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keeper of unfinished runs starts a run that no node runs, from the {@code lifecycle_runs}
 * read side alone: a run whose start was journaled (as a node that died right after writing it
 * would have left it, by a test actor: no run entity ever runs before the keeper wakes it) sends
 * its command and finishes without any request for it.
 */
class LifecycleRunKeeperTest {
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
  void anAcceptedRunThatNoEntityRunsIsStartedAndFinishes() throws Exception {
    node = TestNodes.startReadyDev(dataDir);
    Api api = TestNodes.api(node);
    HttpResponse<String> registered =
        api.put(
            "/api/v1/components/kept-run-c",
            "{\"driver\":\"simulated\",\"pollInterval\":\"100ms\"}");
    assertEquals(200, registered.statusCode(), registered::body);
    Await.until(
        DEADLINE,
        () ->
            assertEquals(
                "STOPPED",
                Api.json(api.get("/api/v1/components/kept-run-c")).path("state").asText()));

    String runId = UUID.randomUUID().toString();
    LifecycleRunSpec spec =
        new LifecycleRunSpec("kept-run-c", LifecycleCommand.CMD_INITIALIZED, null, null, null);
    TestJournal.<LifecycleRunEvent>write(
        node.system(),
        PersistenceId.of(LifecycleRunEntity.ENTITY_TYPE_KEY.name(), runId),
        LifecycleRunEntity.tagFor(runId),
        List.of(
            new Started(runId, spec, List.of(List.of("kept-run-c")), Map.of(), Instant.now()),
            new StepStarted(runId, 0, Instant.now())));

    // Waits on the journal, not on the API: a GET of the run starts the entity it asks.
    Await.until(
        DEADLINE,
        () -> {
          List<String> types = journaled("LifecycleRun|" + runId);
          if (!types.contains("Finished")) {
            throw new AssertionError(runId + " has journaled " + types);
          }
        });
    assertEquals(
        List.of("Started", "StepStarted", "Sent", "Reached", "Finished"),
        journaled("LifecycleRun|" + runId));
    assertEquals(
        1, journaled("Component|kept-run-c").stream().filter("LifecycleRequested"::equals).count());
  }

  private List<String> journaled(String persistenceId) throws Exception {
    return TestJournal.types(node.services().database().dataSource(), persistenceId);
  }
}
