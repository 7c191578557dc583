package dev.orchestrator.scenario.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.projection.eventsourced.EventEnvelope;
import dev.orchestrator.db.TestPostgres;
import dev.orchestrator.protocol.scenario.RunStatus;
import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Mode;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Source;
import dev.orchestrator.protocol.scenario.ScenarioEvent;
import dev.orchestrator.protocol.scenario.ScenarioEvent.Acknowledged;
import dev.orchestrator.protocol.scenario.ScenarioEvent.Defined;
import dev.orchestrator.protocol.scenario.ScenarioEvent.EnabledChanged;
import dev.orchestrator.protocol.scenario.ScenarioEvent.RunAdmitted;
import dev.orchestrator.protocol.scenario.ScenarioEvent.RunEnded;
import dev.orchestrator.protocol.scenario.ScenarioLoader;
import dev.orchestrator.protocol.scenario.ScenarioView;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ScenarioTableHandler} and {@link ScenarioRepository} on a real PostgreSQL with the real
 * migrations: each event's effect on the {@code scenarios} row, the counters, the block after
 * {@code max_executions}, and replays that change nothing.
 */
class ScenarioTableTest {
  private static final Instant T0 = Instant.parse("2030-05-01T12:00:00.123456Z");
  private static final String SELECT_ALL = "SELECT * FROM scenarios ORDER BY name";

  @TempDir static Path tempDir;
  private static TestPostgres db;
  private static ScenarioRepository repository;

  private Folding<ScenarioEvent> folding;

  @BeforeAll
  static void startDatabase() throws Exception {
    db = TestPostgres.start(tempDir.resolve("pg"));
    // Five minutes after T0: a 10m cooldown that started at T0 is still under way.
    Clock clock = Clock.fixed(T0.plusSeconds(300), ZoneOffset.UTC);
    repository = new ScenarioRepository(db.dataSource(), db.blocking(), clock);
  }

  @AfterAll
  static void stopDatabase() throws Exception {
    if (db != null) {
      db.close();
    }
  }

  @BeforeEach
  void emptyTable() throws Exception {
    db.execute("TRUNCATE scenarios");
    folding =
        new Folding<>(
            new ScenarioTableHandler(),
            db.dataSource(),
            "Scenario",
            ScenarioEvent::name,
            ScenarioEvent::at);
  }

  @Test
  void aFirstDefinitionIsEnabledWithItsWholeDefinitionAndNoCounts() throws Exception {
    Scenario definition = rich("power");
    folding.fold(new Defined("power", definition, Source.FILE, 1, T0));

    ScenarioView view = get("power");
    assertEquals("power", view.name());
    assertEquals(1, view.version());
    assertEquals(Source.FILE, view.source());
    assertTrue(view.enabled());
    assertFalse(view.blocked());
    assertEquals(definition, view.definition(), "the definition survives the JSONB round trip");
    assertEquals(List.of(), view.running());
    assertEquals(0, view.runs());
    assertEquals(0, view.succeeded());
    assertEquals(0, view.failed());
    assertEquals(0, view.executionsSinceAck());
    assertNull(view.lastStartedAt());
    assertNull(view.lastEndedAt());
    assertNull(view.lastResult());
    assertNull(view.cooldownUntil());
    assertEquals(T0, view.updatedAt());
    assertEquals(
        List.of("10 event"),
        db.dump("SELECT priority, trigger_type FROM scenarios").stream()
            .map(row -> row.replaceAll("[a-z_]+=", "").strip())
            .toList(),
        "the columns the orchestrator sorts and filters on");
  }

  @Test
  void aNewVersionKeepsTheEnabledFlagAndTheCounters() throws Exception {
    folding.fold(
        new Defined("s", simple("s", 50, "manual", null), Source.BUILTIN, 1, T0),
        new EnabledChanged("s", false, T0.plusSeconds(1)),
        new RunAdmitted("s", "r-1", Mode.MANUAL, null, T0.plusSeconds(2)));
    Scenario second = simple("s", 7, "event", null);
    folding.fold(new Defined("s", second, Source.API, 2, T0.plusSeconds(3)));

    ScenarioView view = get("s");
    assertEquals(2, view.version());
    assertEquals(Source.API, view.source());
    assertEquals(second, view.definition());
    assertFalse(view.enabled(), "still disabled");
    assertEquals(1, view.runs());
    assertEquals(List.of("r-1"), view.running());
    assertEquals(T0.plusSeconds(3), view.updatedAt());
  }

  @Test
  void enabledChangedSwitchesBothWays() throws Exception {
    folding.fold(new Defined("s", simple("s", 1, "manual", null), Source.API, 1, T0));
    folding.fold(new EnabledChanged("s", false, T0.plusSeconds(1)));
    assertFalse(get("s").enabled());
    folding.fold(new EnabledChanged("s", true, T0.plusSeconds(2)));
    assertTrue(get("s").enabled());
  }

  @Test
  void runsAreCountedAtAdmissionAndByTheirEnd() throws Exception {
    folding.fold(new Defined("s", simple("s", 1, "manual", null), Source.API, 1, T0));
    folding.fold(
        admitted("s", "r-1", 1),
        admitted("s", "r-2", 2),
        admitted("s", "r-3", 3),
        admitted("s", "r-4", 4));
    ScenarioView running = get("s");
    assertEquals(4, running.runs());
    assertEquals(List.of("r-1", "r-2", "r-3", "r-4"), running.running());
    assertEquals(T0.plusSeconds(4), running.lastStartedAt());
    assertEquals(4, runningColumn("s"));

    folding.fold(
        new RunEnded("s", "r-2", RunStatus.SUCCEEDED, T0.plusSeconds(10)),
        new RunEnded("s", "r-1", RunStatus.FAILED, T0.plusSeconds(11)),
        new RunEnded("s", "r-4", RunStatus.TIMED_OUT, T0.plusSeconds(12)));
    folding.fold(new RunEnded("s", "r-3", RunStatus.CANCELLED, T0.plusSeconds(13)));

    ScenarioView ended = get("s");
    assertEquals(4, ended.runs());
    assertEquals(1, ended.succeeded());
    assertEquals(2, ended.failed(), "FAILED and TIMED_OUT; CANCELLED is neither");
    assertEquals(List.of(), ended.running());
    assertEquals(0, runningColumn("s"));
    assertEquals(RunStatus.CANCELLED, ended.lastResult());
    assertEquals(T0.plusSeconds(13), ended.lastEndedAt());
  }

  @Test
  void anEndOfARunNeverAdmittedLeavesTheRunningRunsAlone() throws Exception {
    folding.fold(
        new Defined("s", simple("s", 1, "manual", null), Source.API, 1, T0),
        admitted("s", "r-1", 1),
        new RunEnded("s", "r-9", RunStatus.SUCCEEDED, T0.plusSeconds(2)));
    assertEquals(List.of("r-1"), get("s").running());
    assertEquals(1, runningColumn("s"));
  }

  @Test
  void maxExecutionsBlocksUntilAnAcknowledgement() throws Exception {
    folding.fold(new Defined("s", simple("s", 1, "manual", 2), Source.API, 1, T0));
    folding.fold(admitted("s", "r-1", 1));
    assertFalse(get("s").blocked());
    assertEquals(1, get("s").executionsSinceAck());
    folding.fold(admitted("s", "r-2", 2));
    assertTrue(get("s").blocked(), "two runs of max_executions 2");
    assertEquals(2, get("s").executionsSinceAck());

    folding.fold(new Acknowledged("s", T0.plusSeconds(3)));
    ScenarioView acknowledged = get("s");
    assertFalse(acknowledged.blocked());
    assertEquals(0, acknowledged.executionsSinceAck());
    assertEquals(2, acknowledged.runs(), "runs keep counting");

    folding.fold(admitted("s", "r-3", 4));
    assertFalse(get("s").blocked());
    folding.fold(new Defined("s", simple("s", 1, "manual", 1), Source.API, 2, T0.plusSeconds(5)));
    assertTrue(get("s").blocked(), "a lower max_executions blocks at once");
    folding.fold(
        new Defined("s", simple("s", 1, "manual", null), Source.API, 3, T0.plusSeconds(6)));
    assertFalse(get("s").blocked(), "no max_executions, no block");
  }

  @Test
  void theCooldownRunsFromTheLastStart() throws Exception {
    Scenario cooled = simple("cooled", 1, "manual", null, "10m");
    Scenario over = simple("over", 1, "manual", null, "4m");
    folding.fold(
        new Defined("cooled", cooled, Source.API, 1, T0),
        new Defined("over", over, Source.API, 1, T0),
        new Defined("never", simple("never", 1, "manual", null, "1h"), Source.API, 1, T0));
    folding.fold(admitted("cooled", "r-1", 0), admitted("over", "r-2", 0));

    assertEquals(T0.plus(Duration.ofMinutes(10)), get("cooled").cooldownUntil());
    assertNull(get("over").cooldownUntil(), "4m after T0 is before the clock's T0 + 5m");
    assertNull(get("never").cooldownUntil(), "never started");
  }

  @Test
  void theListIsInPriorityOrderAndFilters() throws Exception {
    folding.fold(
        new Defined("b", simple("b", 10, "event", null), Source.API, 1, T0),
        new Defined("a", simple("a", 10, "manual", null), Source.API, 1, T0),
        new Defined("c", simple("c", 1, "event", null), Source.API, 1, T0),
        new Defined("d", simple("d", 500, "automatic", null), Source.API, 1, T0),
        new EnabledChanged("a", false, T0));

    assertEquals(
        List.of("c", "a", "b", "d"),
        names(repository.list(null, null).toCompletableFuture().get()));
    assertEquals(
        List.of("c", "b"), names(repository.list("event", null).toCompletableFuture().get()));
    assertEquals(List.of("a"), names(repository.list(null, false).toCompletableFuture().get()));
    assertEquals(
        List.of("c", "b", "d"), names(repository.list(null, true).toCompletableFuture().get()));
    assertEquals(List.of(), names(repository.list("manual", true).toCompletableFuture().get()));
    assertEquals(Optional.empty(), repository.find("zzz").toCompletableFuture().get());
  }

  @Test
  void aReplayedGroupChangesNothing() throws Exception {
    List<EventEnvelope<ScenarioEvent>> life = new ArrayList<>();
    life.addAll(folding.fold(new Defined("s", simple("s", 1, "manual", 3), Source.API, 1, T0)));
    life.addAll(
        folding.fold(
            admitted("s", "r-1", 1),
            admitted("s", "r-2", 2),
            new RunEnded("s", "r-1", RunStatus.SUCCEEDED, T0.plusSeconds(3)),
            new EnabledChanged("s", false, T0.plusSeconds(4))));
    life.addAll(
        folding.fold(
            admitted("s", "r-3", 5),
            new Acknowledged("s", T0.plusSeconds(6)),
            new RunEnded("s", "r-2", RunStatus.FAILED, T0.plusSeconds(7)),
            new Defined("s", simple("s", 2, "manual", 3), Source.API, 2, T0.plusSeconds(8))));
    List<String> before = db.dump(SELECT_ALL);

    folding.commit(life);
    folding.commit(life.subList(3, 7));
    for (EventEnvelope<ScenarioEvent> envelope : life) {
      folding.commit(List.of(envelope));
    }

    assertEquals(before, db.dump(SELECT_ALL));
    ScenarioView view = get("s");
    assertEquals(3, view.runs());
    assertEquals(1, view.succeeded());
    assertEquals(1, view.failed());
    assertEquals(List.of("r-3"), view.running());
    assertEquals(0, view.executionsSinceAck());
    assertEquals(2, view.version());
  }

  // ---------------------------------------------------------------- helpers

  private static RunAdmitted admitted(String name, String runId, int second) {
    return new RunAdmitted(name, runId, Mode.MANUAL, null, T0.plusSeconds(second));
  }

  private static long runningColumn(String name) throws Exception {
    String row = db.dump("SELECT running FROM scenarios WHERE name = '" + name + "'").get(0);
    return Long.parseLong(row.replace("running=", "").strip());
  }

  private static ScenarioView get(String name) throws Exception {
    Optional<ScenarioView> view = repository.find(name).toCompletableFuture().get();
    assertTrue(view.isPresent(), () -> "no row " + name);
    return view.get();
  }

  private static List<String> names(List<ScenarioView> views) {
    return views.stream().map(ScenarioView::name).toList();
  }

  private static Scenario simple(String name, int priority, String trigger, Integer max) {
    return simple(name, priority, trigger, max, null);
  }

  private static Scenario simple(
      String name, int priority, String trigger, Integer max, String cooldown) {
    String yaml =
        "name: "
            + name
            + "\npriority: "
            + priority
            + "\ntrigger: "
            + (trigger.equals("event")
                ? "{ type: event, event: { type: PING } }"
                : trigger.equals("automatic")
                    ? "{ type: automatic }\nconditions: { component: { id: a, state: [RUN] } }"
                    : "{ type: " + trigger + " }")
            + (max == null ? "" : "\nmax_executions: " + max)
            + (cooldown == null ? "" : "\ncooldown: " + cooldown)
            + "\nactions:\n  - { type: log_event, level: info, message: hello }\n";
    return load(yaml);
  }

  /** The DESIGN.md example: conditions, templates, nested on_failure, durations. */
  private static Scenario rich(String name) {
    return load(
        """
        name: %s
        description: the DESIGN.md example
        priority: 10
        trigger: { type: event, event: { type: UPS_POWER_LOST, source: ups } }
        cooldown: 5m
        max_concurrent_executions: 1
        conditions:
          any:
            - component: { id: ups, state: [FAULT], for: 10s }
            - time: { between: ["22:00", "06:00"], timezone: Europe/Warsaw }
        actions:
          - { type: log_event, level: warning, message: "power lost at {{ trigger.source }}" }
          - { type: send_command, target: "@all", command: CMD_SOFT_STOP, order: reverse-dependencies }
          - type: wait_for_state
            target: "@all"
            state: INITIALIZED
            timeout: 60s
            retry: { attempts: 2, backoff: 500ms }
            on_failure:
              - { type: send_email, to: [ops@example.com], subject: "stuck", body: "{{ failure.message }}" }
        """
            .formatted(name));
  }

  private static Scenario load(String yaml) {
    ScenarioLoader.Result result = ScenarioLoader.load("test.yaml", yaml);
    if (result instanceof ScenarioLoader.Loaded loaded) {
      return loaded.scenario();
    }
    throw new AssertionError("test scenario does not load: " + result);
  }
}
