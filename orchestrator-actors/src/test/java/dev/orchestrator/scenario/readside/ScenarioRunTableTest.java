package dev.orchestrator.scenario.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.projection.eventsourced.EventEnvelope;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.orchestrator.db.TestPostgres;
import dev.orchestrator.protocol.scenario.Explanation;
import dev.orchestrator.protocol.scenario.RunStatus;
import dev.orchestrator.protocol.scenario.RunTrigger;
import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.protocol.scenario.ScenarioLoader;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.EndReported;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.Logged;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.RunFinished;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.RunStarted;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.StepFailed;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.StepSkipped;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.StepStarted;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.StepSucceeded;
import dev.orchestrator.protocol.scenario.ScenarioRunSpec;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ScenarioRunTableHandler} and {@link ScenarioRunRepository} on a real PostgreSQL with the
 * real migrations: a run's row through its life, newest-first pages with a cursor, filters, and
 * replays that change nothing.
 */
class ScenarioRunTableTest {
  private static final Instant T0 = Instant.parse("2030-05-01T12:00:00.123456Z");
  private static final String SELECT_ALL = "SELECT * FROM scenario_runs ORDER BY id";
  private static final Scenario DEFINITION = load("alpha");

  @TempDir static Path tempDir;
  private static TestPostgres db;
  private static ScenarioRunRepository repository;

  private Folding<ScenarioRunEvent> folding;

  @BeforeAll
  static void startDatabase() throws Exception {
    db = TestPostgres.start(tempDir.resolve("pg"));
    repository = new ScenarioRunRepository(db.dataSource(), db.blocking());
  }

  @AfterAll
  static void stopDatabase() throws Exception {
    if (db != null) {
      db.close();
    }
  }

  @BeforeEach
  void emptyTable() throws Exception {
    db.execute("TRUNCATE scenario_runs");
    folding =
        new Folding<>(
            new ScenarioRunTableHandler(),
            db.dataSource(),
            "ScenarioRun",
            ScenarioRunEvent::runId,
            ScenarioRunEvent::at);
  }

  @Test
  void aStartedRunIsRunningWithItsTrigger() throws Exception {
    RunTrigger trigger =
        new RunTrigger(
            "event", "UPS_POWER_LOST", "ups-1", JsonNodeFactory.instance.objectNode(), T0);
    ScenarioRunSpec spec =
        new ScenarioRunSpec(DEFINITION, 3, trigger, Explanation.none(), "parent-1", List.of("top"));
    folding.fold(new RunStarted("r-1", spec, T0));

    ScenarioRunSummary run = only(repository.list(null, null, null, 10));
    assertEquals(
        new ScenarioRunSummary(
            "r-1", "alpha", 3, RunStatus.RUNNING, "event", "ups-1", "parent-1", 0, null, T0, null),
        run);
  }

  @Test
  void stepsThatEndedForGoodAreCountedAndTheEndIsRecorded() throws Exception {
    folding.fold(started("r-1", "manual", 0));
    folding.fold(
        new StepStarted("r-1", "actions[0]", "log_event", 1, false, T0.plusMillis(1)),
        new Logged("r-1", "actions[0]", "info", "hello", T0.plusMillis(2)),
        new StepSucceeded("r-1", "actions[0]", "logged", null, T0.plusMillis(3)),
        new StepStarted("r-1", "actions[1]", "webhook", 1, false, T0.plusMillis(4)),
        new StepFailed("r-1", "actions[1]", 1, "503", T0.plusSeconds(1), T0.plusMillis(5)));
    assertEquals(1, only(repository.list(null, null, null, 10)).stepsDone(), "a retry is pending");

    folding.fold(
        new StepStarted("r-1", "actions[1]", "webhook", 2, true, T0.plusSeconds(1)),
        new StepFailed("r-1", "actions[1]", 2, "503 again", null, T0.plusSeconds(2)),
        new StepSkipped("r-1", "actions[1].on_failure[0]", "send_sms is off", T0.plusSeconds(3)),
        new RunFinished("r-1", RunStatus.FAILED, "actions[1]: 503 again", T0.plusSeconds(4)));
    ScenarioRunSummary failed = only(repository.list(null, null, null, 10));
    assertEquals(RunStatus.FAILED, failed.status());
    assertEquals(3, failed.stepsDone());
    assertEquals("actions[1]: 503 again", failed.error());
    assertEquals(T0.plusSeconds(4), failed.finishedAt());

    List<String> before = db.dump(SELECT_ALL);
    folding.fold(new EndReported("r-1", T0.plusSeconds(5)));
    assertEquals(
        before.get(0).replace("seq_nr=10", "seq_nr=11").replaceAll("updated_at=\\S+ \\S+ ", ""),
        db.dump(SELECT_ALL).get(0).replaceAll("updated_at=\\S+ \\S+ ", ""),
        "EndReported only moves seq_nr and updated_at on");
  }

  @Test
  void theListIsNewestFirstAndFilters() throws Exception {
    folding.fold(
        started("r-a", "manual", 1),
        started("r-b", "event", 2),
        new RunStarted("r-c", spec("beta", "manual"), T0.plusSeconds(3)),
        started("r-d", "schedule", 4));
    folding.fold(
        new RunFinished("r-b", RunStatus.SUCCEEDED, null, T0.plusSeconds(5)),
        new RunFinished("r-d", RunStatus.CANCELLED, "by alice", T0.plusSeconds(6)));

    assertEquals(List.of("r-d", "r-c", "r-b", "r-a"), ids(repository.list(null, null, null, 10)));
    assertEquals(List.of("r-d", "r-b", "r-a"), ids(repository.list("alpha", null, null, 10)));
    assertEquals(List.of("r-c", "r-a"), ids(repository.list(null, RunStatus.RUNNING, null, 10)));
    assertEquals(List.of("r-a"), ids(repository.list("alpha", RunStatus.RUNNING, null, 10)));
    assertEquals(List.of(), ids(repository.list("gamma", null, null, 10)));
    assertEquals(2L, repository.countRunning(null).toCompletableFuture().get());
    assertEquals(1L, repository.countRunning("beta").toCompletableFuture().get());
    assertEquals(0L, repository.countRunning("gamma").toCompletableFuture().get());
  }

  @Test
  void pagesFollowTheCursorWithoutSkippingRunsOfTheSameInstant() throws Exception {
    List<ScenarioRunEvent> starts = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      String id = String.format("r-%02d", i);
      // Five runs per instant: the id breaks the tie.
      starts.add(new RunStarted(id, spec("alpha", "manual"), T0.plusSeconds(i / 5)));
    }
    folding.fold(starts.toArray(ScenarioRunEvent[]::new));
    for (int i = 24; i >= 0; i--) {
      expected.add(String.format("r-%02d", i));
    }

    List<String> seen = new ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      List<String> page = ids(repository.list(null, null, after, 7));
      seen.addAll(page);
      after = page.size() == 7 ? page.get(6) : null;
      pages++;
    } while (after != null);
    assertEquals(expected, seen);
    assertEquals(4, pages);

    assertEquals(
        List.of("r-14", "r-13"), ids(repository.list("alpha", RunStatus.RUNNING, "r-15", 2)));
  }

  @Test
  void anUnknownCursorOrALimitBelowOneIsRefused() {
    CompletionException unknown =
        assertThrows(
            CompletionException.class,
            () -> repository.list(null, null, "no-such-run", 5).toCompletableFuture().join());
    assertInstanceOf(ScenarioRunRepository.UnknownCursor.class, unknown.getCause());
    assertTrue(unknown.getCause().getMessage().contains("no-such-run"));

    CompletionException zero =
        assertThrows(
            CompletionException.class,
            () -> repository.list(null, null, null, 0).toCompletableFuture().join());
    assertInstanceOf(IllegalArgumentException.class, zero.getCause());
  }

  @Test
  void replayedEventsChangeNothing() throws Exception {
    List<EventEnvelope<ScenarioRunEvent>> life = new ArrayList<>();
    life.addAll(folding.fold(started("r-1", "manual", 0), started("r-2", "event", 1)));
    life.addAll(
        folding.fold(
            new StepSucceeded("r-1", "actions[0]", "ok", null, T0.plusSeconds(2)),
            new StepSucceeded("r-2", "actions[0]", "ok", null, T0.plusSeconds(2)),
            new StepFailed("r-1", "actions[1]", 1, "boom", null, T0.plusSeconds(3)),
            new RunFinished("r-1", RunStatus.FAILED, "boom", T0.plusSeconds(4))));
    List<String> before = db.dump(SELECT_ALL);

    folding.commit(life);
    for (EventEnvelope<ScenarioRunEvent> envelope : life) {
      folding.commit(List.of(envelope));
    }

    assertEquals(before, db.dump(SELECT_ALL));
    List<ScenarioRunSummary> runs =
        repository.list(null, null, null, 10).toCompletableFuture().get();
    assertEquals(1, runs.get(0).stepsDone(), "r-2");
    assertEquals(2, runs.get(1).stepsDone(), "r-1");
    assertNull(runs.get(0).finishedAt());
  }

  @Test
  void aGroupThatOverlapsWhatWasFoldedCountsEachEventOnce() throws Exception {
    List<EventEnvelope<ScenarioRunEvent>> folded =
        folding.fold(
            started("r-1", "manual", 0),
            new StepSucceeded("r-1", "actions[0]", "ok", null, T0.plusSeconds(1)),
            new StepSucceeded("r-1", "actions[1]", "ok", null, T0.plusSeconds(2)));
    List<EventEnvelope<ScenarioRunEvent>> overlapping = new ArrayList<>(folded.subList(1, 3));
    overlapping.addAll(
        folding.envelopes(
            new StepSucceeded("r-1", "actions[2]", "ok", null, T0.plusSeconds(3)),
            new RunFinished("r-1", RunStatus.SUCCEEDED, null, T0.plusSeconds(4))));

    folding.commit(overlapping);

    ScenarioRunSummary run = only(repository.list(null, null, null, 10));
    assertEquals(3, run.stepsDone(), run::toString);
    assertEquals(RunStatus.SUCCEEDED, run.status());
    assertEquals(T0.plusSeconds(4), run.finishedAt());
  }

  // ---------------------------------------------------------------- helpers

  private static RunStarted started(String id, String triggerType, int second) {
    return new RunStarted(id, spec("alpha", triggerType), T0.plusSeconds(second));
  }

  private static ScenarioRunSpec spec(String scenario, String triggerType) {
    Scenario definition = scenario.equals("alpha") ? DEFINITION : load(scenario);
    RunTrigger trigger = new RunTrigger(triggerType, null, "alice", null, T0);
    return new ScenarioRunSpec(definition, 1, trigger, Explanation.none(), null, null);
  }

  private static ScenarioRunSummary only(CompletionStage<List<ScenarioRunSummary>> list)
      throws Exception {
    List<ScenarioRunSummary> runs = list.toCompletableFuture().get();
    assertEquals(1, runs.size(), runs::toString);
    return runs.get(0);
  }

  private static List<String> ids(CompletionStage<List<ScenarioRunSummary>> list) throws Exception {
    return list.toCompletableFuture().get().stream().map(ScenarioRunSummary::id).toList();
  }

  private static Scenario load(String name) {
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
}
