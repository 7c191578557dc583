package dev.orchestrator.scenario.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import dev.orchestrator.db.JdbcJournalConfig;
import dev.orchestrator.db.TestPostgres;
import dev.orchestrator.protocol.JsonSerializable;
import dev.orchestrator.protocol.scenario.Explanation;
import dev.orchestrator.protocol.scenario.RunStatus;
import dev.orchestrator.protocol.scenario.RunTrigger;
import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Mode;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Source;
import dev.orchestrator.protocol.scenario.ScenarioEvent;
import dev.orchestrator.protocol.scenario.ScenarioLoader;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent;
import dev.orchestrator.protocol.scenario.ScenarioRunSpec;
import dev.orchestrator.protocol.scenario.ScenarioView;
import dev.orchestrator.scenario.ScenarioKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The read side end to end: scenario and run events journaled with the engine's tags through
 * akka-persistence-jdbc into a real PostgreSQL, read by tag and folded by the projections that
 * {@link ScenarioReadSide#init} starts on a one-node cluster.
 */
class ScenarioReadSideTest {
  @TempDir static Path tempDir;
  private static TestPostgres db;
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() throws Exception {
    db = TestPostgres.start(tempDir.resolve("pg"));
    testKit =
        ActorTestKit.create(
            "ScenarioReadSideTest", JdbcJournalConfig.clusterWithProjections(db.server()));
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    ScenarioReadSide.init(testKit.system(), db.dataSource());
  }

  @AfterAll
  static void stop() throws Exception {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
    if (db != null) {
      db.close();
    }
  }

  @Test
  void journaledEventsReachBothTablesOnEveryTag() throws Exception {
    Instant t0 = Instant.now();
    int scenarios = 8;
    int runsEach = 3;
    TestProbe<Done> written = testKit.createTestProbe();
    List<String> runIds = new ArrayList<>();
    for (int s = 0; s < scenarios; s++) {
      String name = "scenario-" + s;
      Scenario definition = definition(name);
      List<JsonSerializable> scenarioEvents = new ArrayList<>();
      scenarioEvents.add(new ScenarioEvent.Defined(name, definition, Source.API, 1, t0));
      for (int r = 0; r < runsEach; r++) {
        String runId = name + "-run-" + r;
        runIds.add(runId);
        scenarioEvents.add(new ScenarioEvent.RunAdmitted(name, runId, Mode.MANUAL, null, t0));
        ScenarioRunSpec spec =
            new ScenarioRunSpec(
                definition,
                1,
                new RunTrigger("manual", null, "alice", null, t0),
                Explanation.none(),
                null,
                null);
        write(
            "run-" + runId,
            List.of(
                new ScenarioRunEvent.RunStarted(runId, spec, t0.plusMillis(r)),
                new ScenarioRunEvent.StepSucceeded(runId, "actions[0]", "ok", null, t0),
                new ScenarioRunEvent.RunFinished(runId, RunStatus.SUCCEEDED, null, t0)),
            written.getRef());
        scenarioEvents.add(new ScenarioEvent.RunEnded(name, runId, RunStatus.SUCCEEDED, t0));
      }
      write("scenario-" + name, scenarioEvents, written.getRef());
    }
    written.receiveSeveralMessages(scenarios * (runsEach + 1), Duration.ofSeconds(30));

    ScenarioRepository scenarioRepository = new ScenarioRepository(db.dataSource(), db.blocking());
    ScenarioRunRepository runRepository = new ScenarioRunRepository(db.dataSource(), db.blocking());
    testKit
        .createTestProbe()
        .awaitAssert(
            Duration.ofSeconds(60),
            Duration.ofMillis(100),
            () -> {
              List<ScenarioView> views =
                  scenarioRepository.list(null, null).toCompletableFuture().join();
              assertEquals(scenarios, views.size(), views::toString);
              for (ScenarioView view : views) {
                assertEquals(runsEach, view.succeeded(), view::toString);
                assertEquals(List.of(), view.running(), view::toString);
              }
              List<ScenarioRunSummary> runs =
                  runRepository
                      .list(null, RunStatus.SUCCEEDED, null, 1000)
                      .toCompletableFuture()
                      .join();
              assertEquals(runIds.size(), runs.size());
              runs.forEach(run -> assertEquals(1, run.stepsDone(), run::toString));
              return views;
            });

    // Each tag's projection committed its offset with its writes.
    Set<String> keys = new TreeSet<>();
    for (String row :
        db.dump(
            "SELECT projection_name || ' ' || projection_key AS k FROM akka_projection_offset_store"
                + " WHERE projection_name IN ('"
                + ScenarioProjection.NAME
                + "', '"
                + ScenarioRunProjection.NAME
                + "')")) {
      keys.add(row.replace("k=", "").strip());
    }
    Set<String> expected = new TreeSet<>();
    ScenarioKeys.SCENARIO_TAGS.forEach(tag -> expected.add(ScenarioProjection.NAME + " " + tag));
    ScenarioKeys.RUN_TAGS.forEach(tag -> expected.add(ScenarioRunProjection.NAME + " " + tag));
    assertEquals(expected, keys);
  }

  private static void write(String id, List<JsonSerializable> events, ActorRef<Done> replyTo) {
    testKit.spawn(new Writer(id)).tell(new Writer.Write(events, replyTo));
  }

  private static Scenario definition(String name) {
    ScenarioLoader.Result result =
        ScenarioLoader.load(
            "test.yaml",
            "name: "
                + name
                + "\ntrigger: { type: manual }\nactions:\n"
                + "  - { type: log_event, level: info, message: hello }\n");
    if (result instanceof ScenarioLoader.Loaded loaded) {
      return loaded.scenario();
    }
    throw new AssertionError("test scenario does not load: " + result);
  }

  /**
   * Stands in for the scenario and run entities: journals the events it is given, tagged as the
   * entities tag them ({@link ScenarioKeys#tagFor}), and answers once they are written.
   */
  static final class Writer extends EventSourcedBehavior<Writer.Write, JsonSerializable, Integer> {
    record Write(List<JsonSerializable> events, ActorRef<Done> replyTo) {}

    Writer(String id) {
      super(PersistenceId.of("ScenarioReadSideTest", id));
    }

    @Override
    public Integer emptyState() {
      return 0;
    }

    @Override
    public CommandHandler<Write, JsonSerializable, Integer> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(
              Write.class,
              write ->
                  Effect().persist(write.events()).thenReply(write.replyTo(), s -> Done.done()))
          .build();
    }

    @Override
    public EventHandler<Integer, JsonSerializable> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((count, event) -> count + 1);
    }

    @Override
    public Set<String> tagsFor(JsonSerializable event) {
      if (event instanceof ScenarioEvent e) {
        return Set.of(ScenarioKeys.tagFor(e.name(), ScenarioKeys.SCENARIO_TAGS));
      }
      ScenarioRunEvent e = (ScenarioRunEvent) event;
      return Set.of(ScenarioKeys.tagFor(e.runId(), ScenarioKeys.RUN_TAGS));
    }
  }
}
