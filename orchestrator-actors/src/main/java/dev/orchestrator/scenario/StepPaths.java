package dev.orchestrator.scenario;

import dev.orchestrator.protocol.scenario.Action;
import dev.orchestrator.protocol.scenario.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Names the steps of a run by their place in the definition: {@code actions[2]} is the third
 * action, {@code actions[2].on_failure[0]} the first action of its {@code on_failure} list. The
 * same paths as the validator's messages.
 */
final class StepPaths {
  static final String FIRST = "actions[0]";
  private static final Pattern INDEX = Pattern.compile("\\[(\\d+)]");

  private StepPaths() {}

  static List<Integer> indices(String path) {
    List<Integer> indices = new ArrayList<>();
    Matcher m = INDEX.matcher(path);
    while (m.find()) {
      indices.add(Integer.parseInt(m.group(1)));
    }
    return indices;
  }

  static String path(List<Integer> indices) {
    StringBuilder out = new StringBuilder("actions[").append(indices.get(0)).append(']');
    for (int i = 1; i < indices.size(); i++) {
      out.append(".on_failure[").append(indices.get(i)).append(']');
    }
    return out.toString();
  }

  /** The action at {@code path}. */
  static Action action(Scenario definition, String path) {
    List<Action> list = definition.actions();
    Action action = null;
    for (int index : indices(path)) {
      action = list.get(index);
      list = action.onFailure();
    }
    return action;
  }

  /** The step after {@code path} in the same list; null at the end of the list. */
  static String next(Scenario definition, String path) {
    List<Integer> indices = indices(path);
    List<Integer> parent = indices.subList(0, indices.size() - 1);
    List<Action> list =
        parent.isEmpty() ? definition.actions() : action(definition, path(parent)).onFailure();
    int index = indices.get(indices.size() - 1) + 1;
    if (index >= list.size()) {
      return null;
    }
    List<Integer> sibling = new ArrayList<>(parent);
    sibling.add(index);
    return path(sibling);
  }

  /** The first step of the {@code on_failure} list of {@code path}; null when it has none. */
  static String firstOnFailure(Scenario definition, String path) {
    if (action(definition, path).onFailure().isEmpty()) {
      return null;
    }
    List<Integer> child = new ArrayList<>(indices(path));
    child.add(0);
    return path(child);
  }
}
