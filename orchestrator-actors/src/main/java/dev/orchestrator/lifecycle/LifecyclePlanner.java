package dev.orchestrator.lifecycle;

import dev.orchestrator.protocol.component.DependencyGraph;
import dev.orchestrator.protocol.lifecycle.LifecycleRunSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns a lifecycle request into steps, from the registered components' groups and dependencies.
 */
public final class LifecyclePlanner {

  /** A plan: steps of component ids, and per component the targets whose failure skips it. */
  public record Plan(List<List<String>> steps, Map<String, List<String>> blockers) {}

  /** The request cannot be planned: {@code notFound} for a target that names nothing. */
  public static final class Unplannable extends RuntimeException {
    private final boolean notFound;

    Unplannable(String message, boolean notFound) {
      super(message);
      this.notFound = notFound;
    }

    public boolean notFound() {
      return notFound;
    }
  }

  private LifecyclePlanner() {}

  public static Plan plan(LifecycleRunSpec spec, Map<String, ComponentTopology.Node> components) {
    Set<String> targets = targets(spec.target(), components);
    Map<String, List<String>> deps = new TreeMap<>();
    components.forEach((id, node) -> deps.put(id, node.dependsOn()));
    DependencyGraph graph = DependencyGraph.of(deps);
    Map<String, List<String>> blockers = new TreeMap<>();
    List<List<String>> steps;
    try {
      steps =
          switch (spec.order()) {
            case "dependencies" -> graph.startOrder(targets);
            case "reverse-dependencies" -> graph.stopOrder(targets);
            default -> List.of(List.copyOf(targets));
          };
    } catch (IllegalStateException cycle) {
      throw new Unplannable(cycle.getMessage(), false);
    }
    if (spec.order().equals("dependencies")) {
      graph.dependenciesAmong(targets).forEach((id, among) -> blockers.put(id, List.copyOf(among)));
    }
    return new Plan(steps, blockers);
  }

  /**
   * The ids {@code target} ({@code id}, {@code group:name} or {@code @all}) names among {@code
   * components}; throws {@link Unplannable} (not found) when it names none.
   */
  public static Set<String> targets(String target, Map<String, ComponentTopology.Node> components) {
    if (target.equals("@all")) {
      if (components.isEmpty()) {
        throw new Unplannable("no component is registered", true);
      }
      return new TreeSet<>(components.keySet());
    }
    if (target.startsWith("group:")) {
      String group = target.substring("group:".length());
      Set<String> members = new TreeSet<>();
      components.values().stream()
          .filter(n -> n.groups().contains(group))
          .forEach(n -> members.add(n.id()));
      if (members.isEmpty()) {
        List<String> known = new ArrayList<>(new TreeSet<>(groups(components)));
        throw new Unplannable(
            "no registered component is in group '"
                + group
                + "'"
                + (known.isEmpty() ? "" : "; groups: " + String.join(", ", known)),
            true);
      }
      return members;
    }
    if (!components.containsKey(target)) {
      throw new Unplannable("no component '" + target + "' is registered", true);
    }
    return Set.of(target);
  }

  private static List<String> groups(Map<String, ComponentTopology.Node> components) {
    List<String> groups = new ArrayList<>();
    components.values().forEach(n -> groups.addAll(n.groups()));
    return groups;
  }
}
