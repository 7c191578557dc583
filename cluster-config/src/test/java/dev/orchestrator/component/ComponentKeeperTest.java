package dev.orchestrator.component;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.persistence.typed.PersistenceId;
import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.TestJournal;
import dev.orchestrator.node.testkit.TestNodes;
import dev.orchestrator.protocol.component.ComponentEvent;
import dev.orchestrator.protocol.component.ComponentEvent.LifecycleRequested;
import dev.orchestrator.protocol.component.ComponentEvent.Registered;
import dev.orchestrator.protocol.component.ComponentEvent.StateChanged;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link ComponentKeeper} starts the registered components whose entity no node runs, from the
 * read side alone: a component whose registration was journaled (as a node that died right after
 * writing it would have left it, by a test actor: no component entity ever runs before the keeper
 * wakes it) is polled without any request for it. ComponentRestartTest covers a node restart.
 */
class ComponentKeeperTest {
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
  void aRegisteredComponentThatNoEntityRunsIsStartedAndPolled() throws Exception {
    node = TestNodes.startReadyDev(dataDir);
    String id = "kept-component";
    ComponentSpec spec =
        new ComponentSpec("simulated", null, List.of("kept"), List.of(), Duration.ofMillis(100));
    TestJournal.<ComponentEvent>write(
        node.system(),
        PersistenceId.of(ComponentEntity.ENTITY_TYPE_KEY.name(), id),
        ComponentEntity.tagFor(id),
        List.of(new Registered(id, spec, Instant.now())));

    // Only a running entity polls: its simulated component leaves UNKNOWN for STOPPED and the
    // entity journals that. Waits on the journal, not on the API: a GET starts the entity it asks.
    Await.until(
        DEADLINE,
        () -> {
          List<String> types = journaled("Component|" + id);
          if (!types.contains("StateChanged")) {
            throw new AssertionError(id + " has journaled " + types);
          }
        });
    assertEquals("Registered", journaled("Component|" + id).get(0));
  }

  /**
   * A command accepted (LifecycleRequested journaled) by an entity whose node died before its
   * simulated component carried it out: the entity's next incarnation has a new in-process
   * component, which carries it out (the drill of a graceful hand-over once left a component at
   * STOPPED for good, desired INITIALIZED, and a scenario run waiting on it).
   */
  @Test
  void aCommandAcceptedButNotCarriedOutBeforeItsNodeDiedIsCarriedOut() throws Exception {
    node = TestNodes.startReadyDev(dataDir);
    Api api = TestNodes.api(node);
    String id = "moved-component";
    ComponentSpec spec =
        new ComponentSpec("simulated", null, List.of("kept"), List.of(), Duration.ofMillis(100));
    Instant at = Instant.now();
    TestJournal.<ComponentEvent>write(
        node.system(),
        PersistenceId.of(ComponentEntity.ENTITY_TYPE_KEY.name(), id),
        ComponentEntity.tagFor(id),
        List.of(
            new Registered(id, spec, at),
            new StateChanged(id, FsmState.UNKNOWN, FsmState.STOPPED, null, at),
            new LifecycleRequested(
                id,
                LifecycleCommand.CMD_INITIALIZED,
                FsmState.INITIALIZING,
                FsmState.INITIALIZED,
                at,
                null)));

    Await.until(
        DEADLINE,
        () -> {
          JsonNode view = Api.json(api.get("/api/v1/components/" + id));
          assertEquals("INITIALIZED", view.path("state").asText(), view::toString);
          assertEquals("INITIALIZED", view.path("desiredState").asText(), view::toString);
        });
  }

  private List<String> journaled(String persistenceId) throws Exception {
    return TestJournal.types(node.services().database().dataSource(), persistenceId);
  }
}
