package dev.orchestrator.component.driver;

import akka.actor.typed.ActorSystem;
import dev.orchestrator.component.ComponentSettings;
import dev.orchestrator.component.driver.http.HttpDrivers;
import dev.orchestrator.component.driver.simulated.SimulatedDriver;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.SimulatedFault;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Creates the driver a spec names. One case per driver; add new drivers here. */
public final class ComponentDrivers {
  private ComponentDrivers() {}

  /**
   * The driver for component {@code id}. {@code lastState} is the state the entity last observed,
   * {@code desiredState} the target of the last command it accepted and {@code fault} the injected
   * fault: an in-process component resumes from them after a restart.
   */
  public static ComponentDriver create(
      ActorSystem<?> system,
      ComponentSettings settings,
      String id,
      ComponentSpec spec,
      FsmState lastState,
      FsmState desiredState,
      SimulatedFault fault) {
    return switch (spec.driver()) {
      case "simulated" ->
          new SimulatedDriver(
              id,
              system.scheduler(),
              system.executionContext(),
              settings.simulated(),
              lastState,
              desiredState,
              fault);
      case "http" -> http(system, id, spec);
      default -> new Unavailable("no driver named '" + spec.driver() + "'");
    };
  }

  /**
   * The avena driver; if this node cannot run it (no callback address configured, say) the
   * component shows as unreachable with the reason, instead of its entity failing to start.
   */
  private static ComponentDriver http(ActorSystem<?> system, String id, ComponentSpec spec) {
    try {
      return HttpDrivers.get(system).create(id, spec);
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null && e.getMessage() == null ? e.getCause() : e;
      return new Unavailable("the http driver cannot run on this node: " + cause.getMessage());
    }
  }

  /**
   * A driver that fails every call with {@link DriverException.Kind#UNREACHABLE}, for a spec that
   * names no driver this node has (specs are validated at registration, so only a journal written
   * by a newer version can get here): such components show up as unreachable.
   */
  private record Unavailable(String reason) implements ComponentDriver {
    @Override
    public CompletionStage<Void> send(
        dev.orchestrator.protocol.component.LifecycleCommand command, long epoch) {
      return failed();
    }

    @Override
    public CompletionStage<Observation> poll(long epoch) {
      return failed();
    }

    @Override
    public CompletionStage<com.fasterxml.jackson.databind.JsonNode> healthCheck(long epoch) {
      return failed();
    }

    @Override
    public void close() {}

    private <T> CompletionStage<T> failed() {
      return CompletableFuture.failedFuture(
          new DriverException(DriverException.Kind.UNREACHABLE, reason));
    }
  }
}
