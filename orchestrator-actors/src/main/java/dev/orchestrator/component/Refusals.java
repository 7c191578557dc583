package dev.orchestrator.component;

import dev.orchestrator.protocol.component.ComponentFsm;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Why a {@link ComponentEntity} refuses a request, in words an operator can act on. The gateway
 * passes these texts on as the problem's detail (and recognises "is not registered" as a 404).
 */
final class Refusals {
  private Refusals() {}

  static String staleEpoch(String componentId, LifecycleCommand cmd, long epoch, long known) {
    return "component '"
        + componentId
        + "' refused "
        + cmd
        + ": it carries fencing epoch "
        + epoch
        + ", older than epoch "
        + known
        + " that the component has seen (sent by a node that no longer holds the"
        + " orchestrator's lease)";
  }

  static String breakerOpen(String componentId, LifecycleCommand cmd, Instant nextProbe) {
    return "component '"
        + componentId
        + "' is not called while its circuit breaker is open (next probe at "
        + nextProbe
        + "); "
        + cmd
        + " was not sent";
  }

  static String forbidden(String componentId, FsmState observed, LifecycleCommand cmd) {
    Set<LifecycleCommand> allowed = ComponentFsm.allowed(observed);
    String allowedText =
        allowed.isEmpty()
            ? "none until it reaches a resting state"
            : allowed.stream().map(Enum::name).collect(Collectors.joining(", "));
    return "component '"
        + componentId
        + "' is in state "
        + observed
        + ", where "
        + cmd
        + " is not allowed; allowed commands: "
        + allowedText;
  }

  static String notSimulated(String componentId, String driver) {
    return "component '"
        + componentId
        + "' uses the "
        + driver
        + " driver; faults can only be injected into simulated components";
  }

  static String notRegistered(String componentId) {
    return "component '" + componentId + "' is not registered";
  }
}
