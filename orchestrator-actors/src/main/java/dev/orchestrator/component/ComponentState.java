package dev.orchestrator.component;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.JsonSerializable;
import dev.orchestrator.protocol.component.BreakerState;
import dev.orchestrator.protocol.component.ComponentEvent;
import dev.orchestrator.protocol.component.ComponentEvent.BreakerClosed;
import dev.orchestrator.protocol.component.ComponentEvent.BreakerHalfOpened;
import dev.orchestrator.protocol.component.ComponentEvent.BreakerOpened;
import dev.orchestrator.protocol.component.ComponentEvent.Deregistered;
import dev.orchestrator.protocol.component.ComponentEvent.FaultInjected;
import dev.orchestrator.protocol.component.ComponentEvent.Faulted;
import dev.orchestrator.protocol.component.ComponentEvent.HealthChanged;
import dev.orchestrator.protocol.component.ComponentEvent.LifecycleRequested;
import dev.orchestrator.protocol.component.ComponentEvent.Recovered;
import dev.orchestrator.protocol.component.ComponentEvent.Registered;
import dev.orchestrator.protocol.component.ComponentEvent.SpecChanged;
import dev.orchestrator.protocol.component.ComponentEvent.StaleEpochRefused;
import dev.orchestrator.protocol.component.ComponentEvent.StateChanged;
import dev.orchestrator.protocol.component.ComponentEvent.Unreachable;
import dev.orchestrator.protocol.component.ComponentHistory;
import dev.orchestrator.protocol.component.ComponentHistory.HealthEntry;
import dev.orchestrator.protocol.component.ComponentHistory.StaleEpochEntry;
import dev.orchestrator.protocol.component.ComponentHistory.StateEntry;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.SimulatedFault;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The state of a component entity. Immutable; each event yields the next state. */
public sealed interface ComponentState extends JsonSerializable {

  /** The state after {@code event}; histories keep at most {@code historySize} entries. */
  ComponentState apply(ComponentEvent event, int historySize);

  /**
   * Fencing of a component: the highest epoch an accepted lifecycle command carried, and the
   * commands refused for an older one (the latest ones, bounded like the histories; {@code
   * refusals} counts them all).
   */
  record Fencing(long highestEpoch, List<StaleEpochEntry> refused, long refusals)
      implements JsonSerializable {
    static final Fencing NONE = new Fencing(0, List.of(), 0);

    public Fencing {
      refused = refused == null ? List.of() : refused;
    }

    Fencing seen(long epoch) {
      return epoch <= highestEpoch ? this : new Fencing(epoch, refused, refusals);
    }

    Fencing refused(StaleEpochEntry entry, int historySize) {
      return new Fencing(highestEpoch, Active.bounded(refused, entry, historySize), refusals + 1);
    }
  }

  record Unregistered() implements ComponentState {
    @Override
    public ComponentState apply(ComponentEvent event, int historySize) {
      if (event instanceof Registered r) {
        return new Active(
            r.id(),
            r.spec(),
            FsmState.UNKNOWN,
            null,
            null,
            null,
            false,
            BreakerState.CLOSED,
            null,
            null,
            SimulatedFault.NONE,
            List.of(),
            List.of(),
            null,
            r.at(),
            r.at(),
            Fencing.NONE);
      }
      // Nothing else can happen to an unregistered component.
      return this;
    }
  }

  /**
   * A registered component.
   *
   * @param breakerBackoff the backoff of the last opening, null while the breaker never opened
   * @param breakerRetryAt when an open breaker lets the next probe through
   * @param lastSeen when the component last answered, as of the last journaled change (the entity
   *     knows a newer time between changes)
   */
  record Active(
      String id,
      ComponentSpec spec,
      FsmState state,
      FsmState desiredState,
      String error,
      JsonNode health,
      boolean unreachable,
      BreakerState breaker,
      Duration breakerBackoff,
      Instant breakerRetryAt,
      SimulatedFault fault,
      List<StateEntry> stateHistory,
      List<HealthEntry> healthHistory,
      Instant lastSeen,
      Instant registeredAt,
      Instant updatedAt,
      Fencing fencing)
      implements ComponentState {

    public Active {
      // Jackson reads an absent JsonNode as NullNode (a snapshot); null it is, as before.
      health = health == null || health.isNull() ? null : health;
      // Snapshots taken before fencing have none.
      fencing = fencing == null ? Fencing.NONE : fencing;
    }

    public ComponentView view() {
      return new ComponentView(
          id,
          spec,
          state,
          desiredState,
          health,
          unreachable,
          breaker,
          fault,
          lastSeen,
          error,
          registeredAt,
          updatedAt,
          fencing.highestEpoch(),
          fencing.refusals());
    }

    public ComponentHistory history() {
      return new ComponentHistory(id, stateHistory, healthHistory, fencing.refused());
    }

    @Override
    public ComponentState apply(ComponentEvent event, int historySize) {
      Instant at = event.at();
      if (event instanceof Deregistered) {
        return new Unregistered();
      } else if (event instanceof SpecChanged e) {
        Active changed =
            with(e.spec(), state, desiredState, error, health, unreachable, lastSeen).touched(at);
        // Only a simulated component has a fault to inject.
        return "simulated".equals(e.spec().driver())
            ? changed
            : changed.withFault(SimulatedFault.NONE, at);
      } else if (event instanceof LifecycleRequested e) {
        Active requested =
            with(spec, state, e.desired(), error, health, unreachable, lastSeen).touched(at);
        return e.epoch() == null ? requested : requested.withFencing(fencing.seen(e.epoch()));
      } else if (event instanceof StaleEpochRefused e) {
        // Recorded, and nothing else changes (not even updatedAt).
        return withFencing(
            fencing.refused(
                new StaleEpochEntry(e.command(), e.epoch(), e.highestEpoch(), at), historySize));
      } else if (event instanceof StateChanged e) {
        return new Active(
            id,
            spec,
            e.to(),
            desiredState,
            e.error(),
            health,
            unreachable,
            breaker,
            breakerBackoff,
            breakerRetryAt,
            fault,
            bounded(stateHistory, new StateEntry(e.from(), e.to(), e.error(), at), historySize),
            healthHistory,
            at,
            registeredAt,
            at,
            fencing);
      } else if (event instanceof Faulted e) {
        return with(spec, state, desiredState, e.error(), health, unreachable, at).touched(at);
      } else if (event instanceof HealthChanged e) {
        return new Active(
            id,
            spec,
            state,
            desiredState,
            error,
            e.health(),
            unreachable,
            breaker,
            breakerBackoff,
            breakerRetryAt,
            fault,
            stateHistory,
            bounded(healthHistory, new HealthEntry(e.health(), at), historySize),
            at,
            registeredAt,
            at,
            fencing);
      } else if (event instanceof Unreachable e) {
        return with(spec, state, desiredState, e.reason(), health, true, lastSeen).touched(at);
      } else if (event instanceof Recovered) {
        String kept = state == FsmState.FAULT ? error : null;
        return with(spec, state, desiredState, kept, health, false, at).touched(at);
      } else if (event instanceof BreakerOpened e) {
        return withBreaker(BreakerState.OPEN, e.backoff(), e.retryAt(), at);
      } else if (event instanceof BreakerHalfOpened) {
        return withBreaker(BreakerState.HALF_OPEN, breakerBackoff, breakerRetryAt, at);
      } else if (event instanceof BreakerClosed) {
        return withBreaker(BreakerState.CLOSED, breakerBackoff, null, at);
      } else if (event instanceof FaultInjected e) {
        return withFault(e.fault(), at);
      }
      // Registered of a registered component does not happen: the entity persists SpecChanged.
      return this;
    }

    private Active with(
        ComponentSpec newSpec,
        FsmState newState,
        FsmState newDesired,
        String newError,
        JsonNode newHealth,
        boolean newUnreachable,
        Instant newLastSeen) {
      return new Active(
          id,
          newSpec,
          newState,
          newDesired,
          newError,
          newHealth,
          newUnreachable,
          breaker,
          breakerBackoff,
          breakerRetryAt,
          fault,
          stateHistory,
          healthHistory,
          newLastSeen,
          registeredAt,
          updatedAt,
          fencing);
    }

    private Active withBreaker(
        BreakerState newBreaker, Duration backoff, Instant retryAt, Instant at) {
      return new Active(
          id,
          spec,
          state,
          desiredState,
          error,
          health,
          unreachable,
          newBreaker,
          backoff,
          retryAt,
          fault,
          stateHistory,
          healthHistory,
          lastSeen,
          registeredAt,
          at,
          fencing);
    }

    private Active withFault(SimulatedFault newFault, Instant at) {
      return new Active(
          id,
          spec,
          state,
          desiredState,
          error,
          health,
          unreachable,
          breaker,
          breakerBackoff,
          breakerRetryAt,
          newFault,
          stateHistory,
          healthHistory,
          lastSeen,
          registeredAt,
          at,
          fencing);
    }

    private Active withFencing(Fencing newFencing) {
      return new Active(
          id,
          spec,
          state,
          desiredState,
          error,
          health,
          unreachable,
          breaker,
          breakerBackoff,
          breakerRetryAt,
          fault,
          stateHistory,
          healthHistory,
          lastSeen,
          registeredAt,
          updatedAt,
          newFencing);
    }

    private Active touched(Instant at) {
      return new Active(
          id,
          spec,
          state,
          desiredState,
          error,
          health,
          unreachable,
          breaker,
          breakerBackoff,
          breakerRetryAt,
          fault,
          stateHistory,
          healthHistory,
          lastSeen,
          registeredAt,
          at,
          fencing);
    }

    private static <T> List<T> bounded(List<T> history, T entry, int size) {
      List<T> next = new ArrayList<>(history);
      next.add(entry);
      while (next.size() > size) {
        next.remove(0);
      }
      return List.copyOf(next);
    }
  }
}
