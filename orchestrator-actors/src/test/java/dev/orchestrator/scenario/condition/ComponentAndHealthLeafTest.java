package dev.orchestrator.scenario.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchestrator.db.TestPostgres;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.scenario.Condition;
import dev.orchestrator.protocol.scenario.Explanation;
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

/** The component and health leaves on rows of the {@code components} table of a real database. */
class ComponentAndHealthLeafTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2030-05-01T12:00:00Z");

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
  void noComponents() throws Exception {
    db.execute("TRUNCATE components");
  }

  private static void component(
      String id, FsmState state, Instant since, String groups, boolean unreachable, String health)
      throws Exception {
    db.execute(
        "INSERT INTO components (id, driver, poll_interval_ms, state, state_since, groups,"
            + " unreachable, health, registered_at, updated_at)"
            + " VALUES (?, 'simulated', 1000, ?, ?, ?::text[], ?, ?::jsonb, ?, ?)",
        id,
        state.name(),
        since,
        groups,
        unreachable,
        health,
        NOW.minusSeconds(3600),
        NOW);
  }

  private static void component(String id, FsmState state, Instant since) throws Exception {
    component(id, state, since, "{}", false, null);
  }

  private static Explanation evaluate(Condition condition) throws Exception {
    return evaluator.evaluate(condition, NOW).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Explanation state(String id, List<FsmState> states, Duration forAtLeast)
      throws Exception {
    Explanation e =
        evaluate(new Condition.Component(new Condition.ComponentState(id, states, forAtLeast)));
    assertEquals("component", e.condition());
    return e;
  }

  private static Explanation health(
      String target, Boolean reachable, String field, String op, String value) throws Exception {
    JsonNode v = value == null ? null : JSON.readTree(value);
    Explanation e =
        evaluate(new Condition.Health(new Condition.HealthCheck(target, reachable, field, op, v)));
    assertEquals("health", e.condition());
    return e;
  }

  private static void assertLeaf(boolean value, String detail, Explanation e) {
    assertEquals(detail, e.detail());
    assertEquals(value, e.value(), detail);
    assertEquals(List.of(), e.children());
  }

  @Test
  void aComponentInTheStateForLongEnoughIsTrue() throws Exception {
    component("ups", FsmState.FAULT, NOW.minusSeconds(12));
    Duration tenSeconds = Duration.ofSeconds(10);
    assertLeaf(
        true, "ups: FAULT for 12s (>= 10s)", state("ups", List.of(FsmState.FAULT), tenSeconds));
    assertLeaf(
        true,
        "ups: FAULT for 12s (>= 12s)",
        state("ups", List.of(FsmState.FAULT), Duration.ofSeconds(12)));
    assertLeaf(
        false,
        "ups: FAULT for 12s (< 13s)",
        state("ups", List.of(FsmState.FAULT), Duration.ofSeconds(13)));
    assertLeaf(
        true, "ups: FAULT for 12s", state("ups", List.of(FsmState.RUN, FsmState.FAULT), null));
    assertLeaf(false, "ups: FAULT (not RUN)", state("ups", List.of(FsmState.RUN), tenSeconds));
    assertLeaf(
        false,
        "ups: FAULT (not in [RUN, STOPPED])",
        state("ups", List.of(FsmState.RUN, FsmState.STOPPED), null));
  }

  @Test
  void aComponentWhoseTimeInItsStateIsUnknownFailsAForOnly() throws Exception {
    component("old", FsmState.RUN, null);
    assertLeaf(true, "old: RUN", state("old", List.of(FsmState.RUN), null));
    assertLeaf(
        false,
        "old: RUN since an unknown time (cannot tell >= 1m)",
        state("old", List.of(FsmState.RUN), Duration.ofMinutes(1)));
  }

  @Test
  void aStateSinceAheadOfTheEvaluationCountsAsNoTimeYet() throws Exception {
    component("ahead", FsmState.RUN, NOW.plusSeconds(2));
    assertLeaf(
        false,
        "ahead: RUN for 0ms (< 1s)",
        state("ahead", List.of(FsmState.RUN), Duration.ofSeconds(1)));
  }

  @Test
  void aGroupOrAllIsTrueOnlyWhenEveryComponentIsAndTheDetailListsThem() throws Exception {
    component("ups-a", FsmState.FAULT, NOW.minusSeconds(125), "{power}", false, null);
    component("ups-b", FsmState.RUN, NOW.minusSeconds(5), "{power,main}", false, null);
    component("web", FsmState.FAULT, NOW.minusSeconds(3700), "{web}", false, null);

    assertLeaf(
        false,
        "group:power: 1 of 2 components as required; ups-b: RUN (not FAULT);"
            + " ups-a: FAULT for 2m5s (>= 10s)",
        state("group:power", List.of(FsmState.FAULT), Duration.ofSeconds(10)));
    assertLeaf(
        true,
        "group:main: 1 of 1 component as required; ups-b: RUN for 5s",
        state("group:main", List.of(FsmState.RUN), null));
    assertLeaf(
        true,
        "@all: 3 of 3 components as required; ups-a: FAULT for 2m5s; ups-b: RUN for 5s;"
            + " web: FAULT for 1h1m40s",
        state("@all", List.of(FsmState.FAULT, FsmState.RUN), null));
  }

  @Test
  void aLongListIsCutAfterTenComponents() throws Exception {
    for (int i = 10; i < 22; i++) {
      component("c" + i, FsmState.RUN, NOW.minusSeconds(1));
    }
    Explanation e = state("@all", List.of(FsmState.RUN), null);
    assertEquals(true, e.value());
    assertEquals(
        "@all: 12 of 12 components as required; c10: RUN for 1s; c11: RUN for 1s; c12: RUN for 1s;"
            + " c13: RUN for 1s; c14: RUN for 1s; c15: RUN for 1s; c16: RUN for 1s;"
            + " c17: RUN for 1s; c18: RUN for 1s; c19: RUN for 1s; and 2 more",
        e.detail());
  }

  @Test
  void aTargetThatNamesNoComponentIsFalseAndSaysSo() throws Exception {
    assertLeaf(
        false, "@all: no component is registered", state("@all", List.of(FsmState.RUN), null));
    component("ups", FsmState.RUN, NOW);
    assertLeaf(false, "ghost: no such component", state("ghost", List.of(FsmState.RUN), null));
    assertLeaf(
        false,
        "group:none: no component is in group none",
        state("group:none", List.of(FsmState.RUN), null));
    assertLeaf(false, "ghost: no such component", health("ghost", true, null, null, null));
  }

  @Test
  void reachableIsReadFromTheUnreachableColumn() throws Exception {
    component("up", FsmState.RUN, NOW, "{}", false, null);
    component("down", FsmState.RUN, NOW, "{}", true, null);
    assertLeaf(true, "up: reachable", health("up", true, null, null, null));
    assertLeaf(false, "down: unreachable (want reachable)", health("down", true, null, null, null));
    assertLeaf(true, "down: unreachable", health("down", false, null, null, null));
    assertLeaf(false, "up: reachable (want unreachable)", health("up", false, null, null, null));
  }

  @Test
  void aFieldOfTheHealthReportIsComparedWithTheValue() throws Exception {
    component(
        "ups",
        FsmState.RUN,
        NOW,
        "{}",
        false,
        "{\"battery\": {\"level\": 42, \"mode\": \"high\"}, \"ok\": true}");
    assertLeaf(
        true, "ups: battery.level 42 (< 50)", health("ups", null, "battery.level", "lt", "50"));
    assertLeaf(
        false,
        "ups: battery.level 42 (not >= 50)",
        health("ups", null, "battery.level", "ge", "50"));
    assertLeaf(
        true, "ups: battery.level 42 (= 42.0)", health("ups", null, "battery.level", null, "42.0"));
    assertLeaf(
        true,
        "ups: battery.mode \"high\" (= \"high\")",
        health("ups", null, "battery.mode", "eq", "\"high\""));
    assertLeaf(true, "ups: ok true (!= false)", health("ups", null, "ok", "ne", "false"));
    assertLeaf(
        false,
        "ups: battery.mode \"high\" (not a number, so not < 50)",
        health("ups", null, "battery.mode", "lt", "50"));
    assertLeaf(
        false,
        "ups: battery.volts missing from the health report",
        health("ups", null, "battery.volts", "gt", "1"));
    assertLeaf(
        true,
        "ups: reachable, battery.level 42 (> 10)",
        health("ups", true, "battery.level", "gt", "10"));
    assertLeaf(
        false,
        "ups: reachable (want unreachable), battery.level 42 (> 10)",
        health("ups", false, "battery.level", "gt", "10"));
  }

  @Test
  void aComponentWithoutAHealthReportFailsAFieldCheck() throws Exception {
    component("new", FsmState.UNKNOWN, NOW, "{}", false, null);
    assertLeaf(false, "new: no health report yet", health("new", null, "battery.level", "gt", "1"));
  }

  @Test
  void healthOverAGroupNeedsEveryMember() throws Exception {
    component("a", FsmState.RUN, NOW, "{power}", false, "{\"load\": 0.5}");
    component("b", FsmState.RUN, NOW, "{power}", false, "{\"load\": 0.95}");
    assertLeaf(
        false,
        "group:power: 1 of 2 components as required; b: load 0.95 (not < 0.9); a: load 0.5 (< 0.9)",
        health("group:power", null, "load", "lt", "0.9"));
    assertLeaf(
        true,
        "group:power: 2 of 2 components as required; a: reachable; b: reachable",
        health("group:power", true, null, null, null));
  }
}
