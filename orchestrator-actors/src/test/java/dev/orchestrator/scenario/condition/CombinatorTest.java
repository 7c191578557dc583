package dev.orchestrator.scenario.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchestrator.protocol.scenario.Condition;
import dev.orchestrator.protocol.scenario.Explanation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Truth tables of every combinator, through the production evaluator, over constant leaves: time
 * windows that do or do not hold the fixed instant (no database is touched).
 */
class CombinatorTest {
  private static final Instant NOON = Instant.parse("2030-05-01T12:00:00Z");
  private static final Condition TRUE = time("11:00", "13:00");
  private static final Condition FALSE = time("13:00", "14:00");

  /** Never connected: a tree of time leaves reads nothing. */
  private static final JdbcConditionEvaluator evaluator =
      new JdbcConditionEvaluator(
          new PGSimpleDataSource(), Runnable::run, DatasourceSettings.ownDatabaseOnly());

  @AfterAll
  static void close() {
    evaluator.close();
  }

  private static Condition time(String from, String to) {
    return new Condition.Time(new Condition.TimeWindow(null, List.of(from, to), null));
  }

  private static Explanation evaluate(Condition condition) throws Exception {
    return evaluator.evaluate(condition, NOON).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Every assignment of 1 to 4 children, compared with the definition by counting. */
  private static void truthTable(
      String key, Function<List<Condition>, Condition> combinator, Predicate<boolean[]> expected)
      throws Exception {
    for (int n = 1; n <= 4; n++) {
      for (int bits = 0; bits < 1 << n; bits++) {
        boolean[] values = new boolean[n];
        List<Condition> children = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          values[i] = (bits >> i & 1) == 1;
          children.add(values[i] ? TRUE : FALSE);
        }
        Explanation e = evaluate(combinator.apply(children));
        String row = key + " of " + java.util.Arrays.toString(values);
        assertEquals(expected.test(values), e.value(), row);
        assertEquals(key, e.condition(), row);
        assertNull(e.detail(), row);
        assertEquals(n, e.children().size(), "every child is explained: " + row);
        for (int i = 0; i < n; i++) {
          assertEquals(values[i], e.children().get(i).value(), row + " child " + i);
          assertEquals("time", e.children().get(i).condition());
        }
      }
    }
  }

  private static int trues(boolean[] values) {
    int t = 0;
    for (boolean v : values) {
      t += v ? 1 : 0;
    }
    return t;
  }

  @Test
  void allIsTrueWhenEveryChildIs() throws Exception {
    truthTable("all", Condition.All::new, v -> trues(v) == v.length);
  }

  @Test
  void anyIsTrueWhenOneOrMoreChildrenAre() throws Exception {
    truthTable("any", Condition.Any::new, v -> trues(v) >= 1);
  }

  @Test
  void xorIsTrueWhenExactlyOneChildIs() throws Exception {
    truthTable("xor", Condition.Xor::new, v -> trues(v) == 1);
  }

  @Test
  void nandIsTrueWhenNotEveryChildIs() throws Exception {
    truthTable("nand", Condition.Nand::new, v -> trues(v) < v.length);
  }

  @Test
  void norIsTrueWhenNoChildIs() throws Exception {
    truthTable("nor", Condition.Nor::new, v -> trues(v) == 0);
  }

  @Test
  void notInvertsItsOneChild() throws Exception {
    Explanation ofTrue = evaluate(new Condition.Not(TRUE));
    assertFalse(ofTrue.value());
    assertEquals("not", ofTrue.condition());
    assertEquals(List.of(true), ofTrue.children().stream().map(Explanation::value).toList());
    Explanation ofFalse = evaluate(new Condition.Not(FALSE));
    assertTrue(ofFalse.value());
    assertEquals(List.of(false), ofFalse.children().stream().map(Explanation::value).toList());
  }

  @Test
  void andAndOrAreReadAsAllAndAnyAndNestedTreesExplainEveryLeaf() throws Exception {
    String json =
        "{\"and\": [{\"or\": [{\"time\": {\"between\": [\"13:00\", \"14:00\"]}},"
            + " {\"time\": {\"between\": [\"11:00\", \"13:00\"]}}]},"
            + " {\"not\": {\"nor\": [{\"time\": {\"between\": [\"11:00\", \"13:00\"]}}]}}]}";
    Explanation e = evaluate(new ObjectMapper().readValue(json, Condition.class));

    assertTrue(e.value());
    assertEquals("all", e.condition());
    Explanation or = e.children().get(0);
    assertEquals("any", or.condition());
    assertEquals(
        List.of("time 12:00 UTC not in 13:00-14:00", "time 12:00 UTC in 11:00-13:00"),
        or.children().stream().map(Explanation::detail).toList());
    Explanation not = e.children().get(1);
    assertEquals("not", not.condition());
    assertTrue(not.value());
    assertEquals("nor", not.children().get(0).condition());
    assertFalse(not.children().get(0).value());
    assertEquals("time 12:00 UTC in 11:00-13:00", not.children().get(0).children().get(0).detail());
  }

  @Test
  void childrenAreStartedTogetherAndTheCombinatorWaitsForTheLastOne() throws Exception {
    List<CompletableFuture<Explanation>> pending = new ArrayList<>();
    ConditionWalker walker =
        new ConditionWalker(
            (leaf, now) -> {
              CompletableFuture<Explanation> f = new CompletableFuture<>();
              pending.add(f);
              return f;
            });
    CompletableFuture<Explanation> result =
        walker.evaluate(
            new Condition.Any(List.of(TRUE, new Condition.All(List.of(FALSE, TRUE)))), NOON);

    assertEquals(3, pending.size(), "every leaf is asked for before any has answered");
    pending.get(0).complete(Explanation.leaf("time", true, "first"));
    assertFalse(result.isDone(), "any is known to be true, but every leaf is still explained");
    pending.get(2).complete(Explanation.leaf("time", true, "third"));
    pending.get(1).complete(Explanation.leaf("time", false, "second"));

    Explanation e = result.get(10, TimeUnit.SECONDS);
    assertTrue(e.value());
    assertFalse(e.children().get(1).value(), "all of false and true");
    assertEquals(
        List.of("second", "third"),
        e.children().get(1).children().stream().map(Explanation::detail).toList(),
        "children keep their order whatever order they answer in");
  }

  @Test
  void aNotWithoutItsConditionOrANullConditionFailsTheStage() {
    ExecutionException noChild =
        assertThrows(
            ExecutionException.class,
            () -> evaluator.evaluate(new Condition.Not(null), NOON).toCompletableFuture().get());
    assertInstanceOf(IllegalArgumentException.class, noChild.getCause());
    ExecutionException nullLeaf =
        assertThrows(
            ExecutionException.class,
            () ->
                evaluator
                    .evaluate(new Condition.All(java.util.Arrays.asList(TRUE, null)), NOON)
                    .toCompletableFuture()
                    .get());
    assertInstanceOf(IllegalArgumentException.class, nullLeaf.getCause());
  }
}
