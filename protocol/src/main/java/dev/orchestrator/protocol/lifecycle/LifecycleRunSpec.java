package dev.orchestrator.protocol.lifecycle;

import dev.orchestrator.protocol.Ids;
import dev.orchestrator.protocol.JsonSerializable;
import dev.orchestrator.protocol.component.LifecycleCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One lifecycle command for many components, in dependency order.
 *
 * @param target {@code id}, {@code group:name} or {@code @all}
 * @param command the command every target gets
 * @param order {@code none} (all at once), {@code dependencies} (a component after everything it
 *     depends on reached the target state: start-up) or {@code reverse-dependencies} (after
 *     everything that depends on it: shutdown)
 * @param stepTimeout how long one step may take before its laggards are escalated or given up
 * @param timeout how long the whole run may take
 */
public record LifecycleRunSpec(
    String target, LifecycleCommand command, String order, Duration stepTimeout, Duration timeout)
    implements JsonSerializable {

  public static final Set<String> ORDERS = Set.of("none", "dependencies", "reverse-dependencies");
  public static final Duration DEFAULT_STEP_TIMEOUT = Duration.ofSeconds(30);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration MAX_TIMEOUT = Duration.ofHours(24);

  public LifecycleRunSpec {
    order = order == null ? "none" : order;
    stepTimeout = stepTimeout == null ? DEFAULT_STEP_TIMEOUT : stepTimeout;
    timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
  }

  /** Everything wrong with this request; empty when it can run. */
  public List<String> problems() {
    List<String> problems = new ArrayList<>();
    if (target == null || target.isEmpty()) {
      problems.add("target is required: a component id, group:<name> or @all");
    } else if (!target.equals("@all")) {
      String name = target.startsWith("group:") ? target.substring(6) : target;
      String problem = Ids.problem(target.startsWith("group:") ? "group name" : "target", name);
      if (problem != null) {
        problems.add(problem);
      }
    }
    if (command == null) {
      problems.add("command is required: one of " + List.of(LifecycleCommand.values()));
    }
    if (!ORDERS.contains(order)) {
      problems.add(
          "order '" + order + "' is unknown; use none, dependencies or reverse-dependencies");
    }
    if (stepTimeout.isNegative() || stepTimeout.isZero() || stepTimeout.compareTo(timeout) > 0) {
      problems.add("stepTimeout must be positive and at most timeout");
    }
    if (timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_TIMEOUT) > 0) {
      problems.add("timeout must be positive and at most 24h");
    }
    return problems;
  }
}
