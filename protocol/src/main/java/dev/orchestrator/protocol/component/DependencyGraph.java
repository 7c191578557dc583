package dev.orchestrator.protocol.component;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code dependsOn} relation between components: cycle detection for registration and the order
 * in which a set of components is started (dependencies first) or stopped (dependants first).
 * Immutable; ids that are named but not registered are nodes without edges of their own.
 */
public final class DependencyGraph {
  private final Map<String, List<String>> dependsOn;

  private DependencyGraph(Map<String, List<String>> dependsOn) {
    this.dependsOn = dependsOn;
  }

  /** A graph of {@code id → the ids it depends on}. */
  public static DependencyGraph of(Map<String, ? extends Collection<String>> dependsOn) {
    Map<String, List<String>> copy = new TreeMap<>();
    dependsOn.forEach((id, deps) -> copy.put(id, List.copyOf(new LinkedHashSet<>(deps))));
    return new DependencyGraph(copy);
  }

  /** This graph with {@code id}'s dependencies replaced (as a registration would). */
  public DependencyGraph with(String id, Collection<String> deps) {
    Map<String, List<String>> copy = new TreeMap<>(dependsOn);
    copy.put(id, List.copyOf(new LinkedHashSet<>(deps)));
    return new DependencyGraph(copy);
  }

  /** The ids {@code id} depends on directly; empty for an unknown id. */
  public List<String> dependenciesOf(String id) {
    return dependsOn.getOrDefault(id, List.of());
  }

  /**
   * A cycle through {@code id}, if there is one: the path {@code [id, a, b, id]} meaning id depends
   * on a, a on b, b on id. The shortest such path is returned, so that the message names as few
   * components as possible.
   */
  public Optional<List<String>> cycleThrough(String id) {
    Map<String, String> parent = new HashMap<>();
    Deque<String> queue = new ArrayDeque<>();
    for (String dep : dependenciesOf(id)) {
      if (dep.equals(id)) {
        return Optional.of(List.of(id, id));
      }
      if (parent.putIfAbsent(dep, id) == null) {
        queue.add(dep);
      }
    }
    while (!queue.isEmpty()) {
      String current = queue.poll();
      for (String dep : dependenciesOf(current)) {
        if (dep.equals(id)) {
          List<String> path = new ArrayList<>();
          path.add(id);
          for (String at = current; !at.equals(id); at = parent.get(at)) {
            path.add(1, at);
          }
          path.add(id);
          return Optional.of(path);
        }
        if (parent.putIfAbsent(dep, current) == null) {
          queue.add(dep);
        }
      }
    }
    return Optional.empty();
  }

  /** Renders a cycle found by {@link #cycleThrough} as {@code a → b → a}. */
  public static String describe(List<String> cycle) {
    return String.join(" → ", cycle);
  }

  /**
   * The start-up order of {@code targets}: steps of ids that can start together, each step only
   * after every target it depends on (directly or through components outside {@code targets}) is in
   * an earlier step. Ids within a step are sorted. Fails on a cycle among the targets.
   */
  public List<List<String>> startOrder(Collection<String> targets) {
    Set<String> wanted = new TreeSet<>(targets);
    Map<String, Set<String>> before = new LinkedHashMap<>();
    for (String id : wanted) {
      before.put(id, targetsReachableFrom(id, wanted));
    }
    List<List<String>> steps = new ArrayList<>();
    Set<String> done = new HashSet<>();
    while (done.size() < wanted.size()) {
      List<String> step = new ArrayList<>();
      for (String id : wanted) {
        if (!done.contains(id) && done.containsAll(before.get(id))) {
          step.add(id);
        }
      }
      if (step.isEmpty()) {
        Set<String> stuck = new TreeSet<>(wanted);
        stuck.removeAll(done);
        throw new IllegalStateException(
            "the dependencies of " + String.join(", ", stuck) + " form a cycle");
      }
      done.addAll(step);
      steps.add(step);
    }
    return steps;
  }

  /** The shutdown order of {@code targets}: the start-up order reversed (dependants first). */
  public List<List<String>> stopOrder(Collection<String> targets) {
    List<List<String>> steps = new ArrayList<>(startOrder(targets));
    Collections.reverse(steps);
    return steps;
  }

  /**
   * For each target, the other targets it depends on directly or through any component: at start-up
   * a target is skipped when one of these failed.
   */
  public Map<String, Set<String>> dependenciesAmong(Collection<String> targets) {
    Set<String> wanted = new TreeSet<>(targets);
    Map<String, Set<String>> among = new TreeMap<>();
    wanted.forEach(id -> among.put(id, targetsReachableFrom(id, wanted)));
    return among;
  }

  /** The targets that {@code id} depends on, directly or through any other component. */
  private Set<String> targetsReachableFrom(String id, Set<String> targets) {
    Set<String> seen = new HashSet<>();
    Deque<String> queue = new ArrayDeque<>(dependenciesOf(id));
    Set<String> found = new TreeSet<>();
    while (!queue.isEmpty()) {
      String current = queue.poll();
      if (!seen.add(current)) {
        continue;
      }
      if (targets.contains(current) && !current.equals(id)) {
        found.add(current);
      }
      queue.addAll(dependenciesOf(current));
    }
    return found;
  }
}
