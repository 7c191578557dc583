package dev.orchestrator.protocol.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DependencyGraphTest {

  // db <- api <- web, cache <- api; worker <- db
  private final DependencyGraph graph =
      DependencyGraph.of(
          Map.of(
              "db", List.of(),
              "cache", List.of(),
              "api", List.of("db", "cache"),
              "web", List.of("api"),
              "worker", List.of("db")));

  @Test
  void noCycleInAnAcyclicGraph() {
    for (String id : List.of("db", "cache", "api", "web", "worker", "not-registered")) {
      assertEquals(Optional.empty(), graph.cycleThrough(id), id);
    }
  }

  @Test
  void aRegistrationThatClosesACycleNamesIt() {
    DependencyGraph withCycle = graph.with("db", List.of("web"));
    assertEquals(Optional.of(List.of("db", "web", "api", "db")), withCycle.cycleThrough("db"));
    assertEquals(
        "db → web → api → db", DependencyGraph.describe(withCycle.cycleThrough("db").get()));
  }

  @Test
  void theShortestCycleIsNamed() {
    DependencyGraph g =
        DependencyGraph.of(
            Map.of(
                "a", List.of("b", "x"),
                "b", List.of("c"),
                "c", List.of("d"),
                "d", List.of("a"),
                "x", List.of("a")));
    assertEquals(Optional.of(List.of("a", "x", "a")), g.cycleThrough("a"));
  }

  @Test
  void aSelfDependencyIsACycle() {
    assertEquals(
        Optional.of(List.of("a", "a")),
        DependencyGraph.of(Map.of("a", List.of("a"))).cycleThrough("a"));
  }

  @Test
  void aCycleElsewhereIsNotThisComponentsCycle() {
    DependencyGraph g =
        DependencyGraph.of(Map.of("a", List.of("b"), "b", List.of("c"), "c", List.of("b")));
    assertEquals(Optional.empty(), g.cycleThrough("a"));
    assertTrue(g.cycleThrough("b").isPresent());
  }

  @Test
  void startOrderPutsDependenciesFirstAndParallelisesIndependentOnes() {
    assertEquals(
        List.of(List.of("cache", "db"), List.of("api", "worker"), List.of("web")),
        graph.startOrder(Set.of("db", "cache", "api", "web", "worker")));
  }

  @Test
  void stopOrderIsTheReverse() {
    assertEquals(
        List.of(List.of("web"), List.of("api", "worker"), List.of("cache", "db")),
        graph.stopOrder(Set.of("db", "cache", "api", "web", "worker")));
  }

  @Test
  void orderSeesThroughComponentsOutsideTheTargets() {
    // web depends on db through api, which is not among the targets
    assertEquals(List.of(List.of("db"), List.of("web")), graph.startOrder(Set.of("web", "db")));
  }

  @Test
  void orderOfUnrelatedComponentsIsOneStep() {
    assertEquals(List.of(List.of("cache", "db")), graph.startOrder(Set.of("db", "cache")));
  }

  @Test
  void orderRefusesACycleAmongTheTargets() {
    DependencyGraph withCycle = graph.with("db", List.of("web"));
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class, () -> withCycle.startOrder(Set.of("db", "api", "web")));
    assertTrue(e.getMessage().contains("cycle"), e.getMessage());
  }
}
