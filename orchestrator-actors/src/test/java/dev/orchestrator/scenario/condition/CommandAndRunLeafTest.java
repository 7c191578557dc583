package dev.orchestrator.scenario.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchestrator.db.TestPostgres;
import dev.orchestrator.protocol.command.CommandStatus;
import dev.orchestrator.protocol.scenario.Condition;
import dev.orchestrator.protocol.scenario.Explanation;
import dev.orchestrator.protocol.scenario.RunStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The command and run leaves on rows of the {@code commands} and {@code scenario_runs} tables, and
 * a tree of every kind of leaf evaluated at once.
 */
class CommandAndRunLeafTest {
  private static final Instant T0 = Instant.parse("2030-05-01T12:00:00Z");

  @TempDir static Path tempDir;
  private static TestPostgres db;
  private static JdbcConditionEvaluator evaluator;

  @BeforeAll
  static void start() throws Exception {
    db = TestPostgres.start(tempDir.resolve("pg"));
    evaluator =
        new JdbcConditionEvaluator(
            db.dataSource(), db.blocking(), DatasourceSettings.ownDatabaseOnly());
  }

  @AfterAll
  static void stop() throws Exception {
    if (evaluator != null) {
      evaluator.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @BeforeEach
  void emptyTables() throws Exception {
    db.execute("TRUNCATE commands, scenario_runs, components");
  }

  private static void command(String id, String name, CommandStatus status, Instant created)
      throws Exception {
    db.execute(
        "INSERT INTO commands (id, name, status, target, max_attempts, created_at, updated_at,"
            + " seq_nr) VALUES (?, ?, ?, 'worker', 1, ?, ?, 1)",
        id,
        name,
        status.name(),
        created,
        created);
  }

  private static void run(String id, String scenario, String status, Instant created)
      throws Exception {
    db.execute(
        "INSERT INTO scenario_runs (id, scenario, status, trigger_type, created_at, updated_at,"
            + " seq_nr) VALUES (?, ?, ?, 'manual', ?, ?, 1)",
        id,
        scenario,
        status,
        created,
        created);
  }

  private static Explanation evaluate(JdbcConditionEvaluator on, Condition condition)
      throws Exception {
    return on.evaluate(condition, T0).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Explanation commandById(String id, CommandStatus... status) throws Exception {
    return evaluate(
        evaluator, new Condition.Command(new Condition.CommandCheck(id, null, List.of(status))));
  }

  private static Explanation commandByName(String name, CommandStatus... status) throws Exception {
    return evaluate(
        evaluator, new Condition.Command(new Condition.CommandCheck(null, name, List.of(status))));
  }

  private static Explanation run(String scenario, RunStatus... status) throws Exception {
    return evaluate(
        evaluator, new Condition.Run(new Condition.RunCheck(scenario, List.of(status))));
  }

  private static void assertLeaf(String condition, boolean value, String detail, Explanation e) {
    assertEquals(condition, e.condition());
    assertEquals(detail, e.detail());
    assertEquals(value, e.value(), detail);
  }

  @Test
  void aCommandByIdIsTrueWhenItsStatusIsListed() throws Exception {
    command("c-1", "send_email", CommandStatus.SUCCEEDED, T0);
    command("c-2", "send_email", CommandStatus.FAILED, T0);
    assertLeaf(
        "command",
        true,
        "command c-1 (send_email): SUCCEEDED",
        commandById("c-1", CommandStatus.SUCCEEDED));
    assertLeaf(
        "command",
        false,
        "command c-2 (send_email): FAILED (not SUCCEEDED)",
        commandById("c-2", CommandStatus.SUCCEEDED));
    assertLeaf(
        "command",
        true,
        "command c-2 (send_email): FAILED",
        commandById("c-2", CommandStatus.FAILED, CommandStatus.TIMED_OUT));
    assertLeaf(
        "command", false, "command ghost: not found", commandById("ghost", CommandStatus.FAILED));
  }

  @Test
  void aCommandByNameIsTheNewestByCreationNotById() throws Exception {
    command("c-9", "backup", CommandStatus.SUCCEEDED, T0.minusSeconds(60));
    command("c-1", "backup", CommandStatus.FAILED, T0.minusSeconds(1));
    command("c-5", "other", CommandStatus.SUCCEEDED, T0);
    assertLeaf(
        "command",
        false,
        "command backup: newest is c-1, FAILED (not in [SUCCEEDED, CANCELLED])",
        commandByName("backup", CommandStatus.SUCCEEDED, CommandStatus.CANCELLED));
    assertLeaf(
        "command",
        true,
        "command backup: newest is c-1, FAILED",
        commandByName("backup", CommandStatus.FAILED));
    assertLeaf(
        "command",
        false,
        "command restore: none yet",
        commandByName("restore", CommandStatus.FAILED));
  }

  @Test
  void aRunIsTheNewestOfItsScenario() throws Exception {
    run("r-2", "shutdown", "FAILED", T0.minusSeconds(600));
    run("r-1", "shutdown", "SUCCEEDED", T0.minusSeconds(5));
    run("r-3", "startup", "RUNNING", T0);
    assertLeaf(
        "run",
        true,
        "run of shutdown: newest is r-1, SUCCEEDED",
        run("shutdown", RunStatus.SUCCEEDED));
    assertLeaf(
        "run",
        false,
        "run of startup: newest is r-3, RUNNING (not in [FAILED, TIMED_OUT])",
        run("startup", RunStatus.FAILED, RunStatus.TIMED_OUT));
    assertLeaf("run", false, "run of nothing: no run yet", run("nothing", RunStatus.RUNNING));
  }

  @Test
  void aStatusThisNodeDoesNotKnowIsNotOneOfThose() throws Exception {
    run("r-1", "future", "PAUSED", T0);
    assertLeaf(
        "run",
        false,
        "run of future: newest is r-1, PAUSED (not RUNNING)",
        run("future", RunStatus.RUNNING));
  }

  @Test
  void aDatabaseThatCannotBeReachedMakesTheLeavesFalseWithTheReason() throws Exception {
    PGSimpleDataSource nowhere = new PGSimpleDataSource();
    nowhere.setUrl("jdbc:postgresql://127.0.0.1:1/nothing?connectTimeout=2");
    try (JdbcConditionEvaluator cut =
        new JdbcConditionEvaluator(nowhere, db.blocking(), DatasourceSettings.ownDatabaseOnly())) {
      Explanation e =
          evaluate(
              cut,
              new Condition.Any(
                  List.of(
                      new Condition.Command(
                          new Condition.CommandCheck(
                              "c-1", null, List.of(CommandStatus.SUCCEEDED))),
                      new Condition.Run(
                          new Condition.RunCheck("shutdown", List.of(RunStatus.FAILED))))));
      assertFalse(e.value());
      String command = e.children().get(0).detail();
      assertTrue(command.startsWith("command c-1: cannot read: "), command);
      assertTrue(command.contains("(SQLSTATE 08001)"), command);
      assertTrue(e.children().get(1).detail().startsWith("run of shutdown: cannot read: "));
    }
  }

  @Test
  void aTreeOfEveryKindOfLeafIsExplainedLeafByLeaf() throws Exception {
    db.execute(
        "INSERT INTO components (id, driver, poll_interval_ms, state, state_since, health,"
            + " registered_at, updated_at) VALUES ('ups', 'simulated', 1000, 'FAULT', ?,"
            + " '{\"battery\": 9}', ?, ?)",
        T0.minusSeconds(12),
        T0,
        T0);
    command("c-1", "notify", CommandStatus.SUCCEEDED, T0);
    run("r-1", "shutdown", "FAILED", T0);
    String yamlLikeJson =
        "{\"all\": ["
            + "{\"component\": {\"id\": \"ups\", \"state\": [\"FAULT\"], \"for\": \"10s\"}},"
            + "{\"health\": {\"target\": \"ups\", \"field\": \"battery\", \"op\": \"lt\","
            + " \"value\": 10}},"
            + "{\"time\": {\"between\": [\"22:00\", \"06:00\"], \"timezone\": \"Europe/Warsaw\"}},"
            + "{\"database\": {\"datasource\": \"default\", \"query\":"
            + " \"SELECT id FROM components WHERE state = 'FAULT'\"}},"
            + "{\"command\": {\"id\": \"c-1\", \"status\": [\"SUCCEEDED\"]}},"
            + "{\"run\": {\"scenario\": \"shutdown\", \"status\": [\"FAILED\"]}}]}";
    Condition tree = new ObjectMapper().readValue(yamlLikeJson, Condition.class);

    Explanation e = evaluate(evaluator, tree);

    assertFalse(e.value(), "12:00 UTC is 14:00 in Warsaw, outside the night window");
    assertEquals(
        List.of(
            "component true ups: FAULT for 12s (>= 10s)",
            "health true ups: battery 9 (< 10)",
            "time false time 14:00 Europe/Warsaw not in 22:00-06:00",
            "database true database default: 1 row (> 0)",
            "command true command c-1 (notify): SUCCEEDED",
            "run true run of shutdown: newest is r-1, FAILED"),
        e.children().stream()
            .map(c -> c.condition() + " " + c.value() + " " + c.detail())
            .toList());
  }

  @Test
  void leavesThatReadRunAtTheSameTime() throws Exception {
    Condition sleep =
        new Condition.Database(
            new Condition.DatabaseQuery(
                null, "SELECT pg_sleep_for('1500 milliseconds')", Duration.ofSeconds(10), null));
    long started = System.nanoTime();
    Explanation e = evaluate(evaluator, new Condition.All(List.of(sleep, sleep)));
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    assertTrue(e.value(), e.toString());
    assertTrue(
        took.compareTo(Duration.ofMillis(2900)) < 0,
        "two 1.5 s queries one after the other would take 3 s; took " + took);
  }
}
