package dev.orchestrator.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.lifecycle.ComponentTopology;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.TestNodes;
import dev.orchestrator.protocol.scenario.Action;
import dev.orchestrator.protocol.scenario.RunTrigger;
import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.protocol.scenario.ScenarioRunSpec;
import dev.orchestrator.scenario.action.ActionContext;
import dev.orchestrator.scenario.action.ActionExecutor;
import dev.orchestrator.scenario.action.ActionFailed;
import dev.orchestrator.scenario.action.ActionResult;
import dev.orchestrator.scenario.action.cluster.ClusterActions;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * What the cluster action tests share: one dev node per test class, its executors called directly
 * with its ActorSystem, step contexts, simulated components registered over HTTP, journal counts.
 */
final class ActionFixture {
  /** For the read side and components to catch up: CI is a loaded 2-core machine. */
  static final Duration WITHIN = Duration.ofSeconds(60);

  final Path dataDir;
  final Node node;
  final Api api;
  final Map<String, ActionExecutor> executors;

  private ActionFixture(Path dataDir, Node node) {
    this.dataDir = dataDir;
    this.node = node;
    this.api = TestNodes.api(node);
    this.executors =
        ClusterActions.create(
            node.system(),
            new ComponentTopology(
                node.services().database().dataSource(), node.services().blockingExecutor()));
  }

  static ActionFixture start(String name) throws Exception {
    Path dataDir = Files.createTempDirectory("actions-" + name + "-");
    Map<String, Object> values = new HashMap<>(TestNodes.dev(dataDir));
    ActionFixture fixture = new ActionFixture(dataDir, TestNodes.start("dev", values));
    TestNodes.awaitReady(fixture.api);
    return fixture;
  }

  void stop() throws Exception {
    TestNodes.stop(node);
    try (Stream<Path> paths = Files.walk(dataDir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      dataDir.toFile().deleteOnExit();
    }
  }

  /** A first attempt of step {@code actions[0]} of a new run of {@code scenario}. */
  static ActionContext context(String scenario, List<String> chain, Duration timeout) {
    Scenario definition = new Scenario(scenario, null, null, null, null, null, null, null, null);
    ScenarioRunSpec spec =
        new ScenarioRunSpec(
            definition,
            1,
            new RunTrigger("manual", null, "test", null, Instant.now()),
            null,
            null,
            chain);
    return new ActionContext(
        UUID.randomUUID().toString(), "actions[0]", 1, false, spec, Instant.now().plus(timeout));
  }

  /** The same attempt made again after a crash. */
  static ActionContext reattempt(ActionContext c) {
    return new ActionContext(c.runId(), c.path(), c.attempt(), true, c.spec(), c.deadline());
  }

  CompletionStage<ActionResult> start(Action action, ActionContext context) {
    return executors.get(action.typeName()).execute(action, context);
  }

  ActionResult run(Action action, ActionContext context) throws Exception {
    return await(start(action, context), context);
  }

  static ActionResult await(CompletionStage<ActionResult> stage, ActionContext context)
      throws Exception {
    long wait = Duration.between(Instant.now(), context.deadline()).plus(WITHIN).toMillis();
    return stage.toCompletableFuture().get(wait, TimeUnit.MILLISECONDS);
  }

  /** Runs the action, which must fail with {@link ActionFailed}; returns its message. */
  String failure(Action action, ActionContext context) throws Exception {
    try {
      ActionResult result = run(action, context);
      throw new AssertionError("expected the action to fail, it did: " + result);
    } catch (ExecutionException e) {
      return assertInstanceOf(ActionFailed.class, e.getCause(), e::toString).getMessage();
    }
  }

  /** Registers simulated components, each {@code id -> dependencies}, in {@code group}. */
  void register(String group, Map<String, List<String>> components) {
    components.forEach(
        (id, deps) -> {
          String dependsOn = String.join(",", deps.stream().map(d -> "\"" + d + "\"").toList());
          HttpResponse<String> put =
              api.put(
                  "/api/v1/components/" + id,
                  "{\"driver\":\"simulated\",\"groups\":[\""
                      + group
                      + "\"],\"dependsOn\":["
                      + dependsOn
                      + "],\"pollInterval\":\"200ms\"}");
          assertEquals(200, put.statusCode(), put::body);
        });
    // Listed by the read side (the topology), and each at rest in STOPPED.
    Await.until(
        WITHIN,
        () ->
            assertEquals(
                components.size(),
                Api.json(api.get("/api/v1/components?group=" + group)).path("items").size()));
    components.keySet().forEach(id -> awaitState(id, "STOPPED"));
  }

  JsonNode component(String id) {
    HttpResponse<String> read = api.get("/api/v1/components/" + id);
    assertEquals(200, read.statusCode(), read::body);
    return Api.json(read);
  }

  void awaitState(String id, String state) {
    Await.until(WITHIN, () -> assertEquals(state, component(id).path("state").asText(), id));
  }

  /** Journaled events of {@code persistenceId} whose class name ends with {@code eventType}. */
  /** The sends a lifecycle run journaled: its Sent events and the sends in its Outcomes. */
  long sends(String runPersistenceId) {
    try (Connection c = node.services().database().dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT coalesce(sum(CASE WHEN event_ser_manifest LIKE '%$Sent' THEN 1 ELSE"
                    + " jsonb_array_length(convert_from(event_payload, 'UTF8')::jsonb -> 'sent')"
                    + " END), 0) FROM event_journal WHERE persistence_id = ?"
                    + " AND (event_ser_manifest LIKE '%$Sent' OR event_ser_manifest LIKE"
                    + " '%$Outcomes')")) {
      s.setString(1, runPersistenceId);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  long events(String persistenceId, String eventType) {
    try (Connection c = node.services().database().dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM event_journal WHERE persistence_id = ?"
                    + " AND event_ser_manifest LIKE ?")) {
      s.setString(1, persistenceId);
      s.setString(2, "%" + eventType);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getLong(1);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
