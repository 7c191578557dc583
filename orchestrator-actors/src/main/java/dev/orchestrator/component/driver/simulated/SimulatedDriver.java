package dev.orchestrator.component.driver.simulated;

import akka.actor.typed.Scheduler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orchestrator.component.ComponentSettings;
import dev.orchestrator.component.driver.ComponentDriver;
import dev.orchestrator.component.driver.DriverException;
import dev.orchestrator.component.driver.Observation;
import dev.orchestrator.protocol.component.ComponentFsm;
import dev.orchestrator.protocol.component.ComponentFsm.Transition;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
import dev.orchestrator.protocol.component.SimulatedFault;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import scala.concurrent.ExecutionContext;

/**
 * An in-process component with the lifecycle FSM of DESIGN.md and injectable faults, for demos,
 * drills and tests. It starts in its {@code initial} state ({@code UNKNOWN} for a new component,
 * which moves to STOPPED after one transition time), and goes on to the {@code desired} one when a
 * command was accepted but not carried out before the entity moved ({@link #resume}) and changes
 * state with the ActorSystem's scheduler, never by sleeping. Thread-safe: the scheduler and the
 * entity call it concurrently.
 *
 * <p>Like a fenced real component, it keeps the highest fencing epoch any call carried and refuses
 * a lifecycle command with an older one, counting the refusals; both show in its health answer
 * ({@code epoch}, {@code stale_epoch_refusals}).
 *
 * <p>With {@code announce-changes} on, it tells its {@linkplain #onChange listener} when a
 * transition ends, as a component that sends its state changes would.
 */
public final class SimulatedDriver implements ComponentDriver {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final String componentId;
  private final Scheduler scheduler;
  private final ExecutionContext executor;
  private final ComponentSettings.Simulated settings;

  private FsmState state;
  private String errorMessage;
  private SimulatedFault fault;
  private boolean flapDown;
  private long generation;
  private boolean closed;
  private long highestEpoch;
  private long staleEpochRefusals;
  private Runnable changeListener;

  public SimulatedDriver(
      String componentId,
      Scheduler scheduler,
      ExecutionContext executor,
      ComponentSettings.Simulated settings,
      FsmState initial,
      FsmState desired,
      SimulatedFault fault) {
    this.componentId = componentId;
    this.scheduler = scheduler;
    this.executor = executor;
    this.settings = settings;
    this.fault = fault;
    synchronized (this) {
      // A transitional state was cut short by the restart: the component finished it meanwhile.
      this.state = ComponentFsm.restingTarget(initial);
      if (state == FsmState.FAULT) {
        errorMessage = "simulated fault";
      }
      if (state == FsmState.UNKNOWN) {
        moveTo(FsmState.UNKNOWN, ComponentFsm.START_TARGET);
      } else {
        resume(desired);
      }
    }
  }

  /**
   * Carries out a command the entity accepted but whose outcome it had not seen ({@code desired}
   * differs from the state it knew): this in-process component went with the entity's old
   * incarnation (a node that left or died, a shard handed over), while one outside the orchestrator
   * would have gone on with it. Not from FAULT: a fault after the last command reached its target
   * leaves that target desired, and a component is never acknowledged by a restart.
   */
  private void resume(FsmState desired) {
    if (desired == null || desired == state || state == FsmState.FAULT) {
      return;
    }
    ComponentFsm.TABLE.stream()
        .filter(row -> row.from() == state && row.to() == desired)
        .findFirst()
        .ifPresent(row -> moveTo(row.via(), row.to()));
  }

  /** Sets the fault; {@code fault} sends the component through ON_ERROR to FAULT at once. */
  public synchronized void inject(SimulatedFault newFault) {
    this.fault = newFault;
    if (newFault == SimulatedFault.FAULT && state != FsmState.FAULT) {
      errorMessage = "simulated fault injected by an operator";
      moveTo(ComponentFsm.ERROR_VIA, ComponentFsm.ERROR_TARGET);
    }
  }

  /** Lifecycle commands refused for an epoch older than the highest seen, for tests. */
  public synchronized long staleEpochRefusals() {
    return staleEpochRefusals;
  }

  /** The component's state as it is now, for tests. */
  public synchronized FsmState state() {
    return state;
  }

  @Override
  public CompletionStage<Void> send(LifecycleCommand command, long epoch) {
    return answer(
        false,
        true,
        () -> {
          synchronized (this) {
            if (epoch < highestEpoch) {
              staleEpochRefusals++;
              throw new DriverException(
                  DriverException.Kind.REFUSED,
                  componentId
                      + " refused "
                      + command
                      + ": fencing epoch "
                      + epoch
                      + " is older than "
                      + highestEpoch);
            }
            highestEpoch = epoch;
            Transition transition =
                ComponentFsm.transition(state, command)
                    .orElseThrow(
                        () ->
                            new DriverException(
                                DriverException.Kind.REFUSED,
                                componentId + " refused " + command + " in state " + state));
            if (command == LifecycleCommand.CMD_ACK) {
              errorMessage = null;
            }
            moveTo(transition.via(), transition.to());
            return null;
          }
        });
  }

  @Override
  public CompletionStage<Observation> poll(long epoch) {
    return answer(
        true,
        false,
        () -> {
          synchronized (this) {
            highestEpoch = Math.max(highestEpoch, epoch);
            boolean error = state == FsmState.FAULT || state == FsmState.ON_ERROR;
            return new Observation(state, error, error ? errorMessage : null, Instant.now());
          }
        });
  }

  @Override
  public CompletionStage<JsonNode> healthCheck(long epoch) {
    return answer(
        false,
        false,
        () -> {
          synchronized (this) {
            highestEpoch = Math.max(highestEpoch, epoch);
            ObjectNode health = JSON.objectNode();
            health.put("healthy", state != FsmState.FAULT && state != FsmState.ON_ERROR);
            health.put("simulated", true);
            if (fault == SimulatedFault.SLOW) {
              health.put("slow", true);
            }
            health.put("epoch", highestEpoch);
            health.put("stale_epoch_refusals", staleEpochRefusals);
            return health;
          }
        });
  }

  @Override
  public synchronized void onChange(Runnable listener) {
    this.changeListener = settings.announceChanges() ? listener : null;
  }

  @Override
  public synchronized void close() {
    closed = true;
    generation++;
  }

  /**
   * Answers after the answer time, or fails as the fault says. A flapping component goes down and
   * up again at each poll; the other calls share the poll's fate. {@code onReceipt}: the call takes
   * effect when it arrives (a command starts its transition then, as a real component's does), and
   * only its answer takes the answer time; otherwise the answer is what holds when it is sent.
   */
  private <T> CompletionStage<T> answer(boolean poll, boolean onReceipt, Supplier<T> reply) {
    SimulatedFault now;
    boolean fails;
    synchronized (this) {
      if (closed) {
        return CompletableFuture.failedFuture(
            new DriverException(DriverException.Kind.UNREACHABLE, componentId + " is closed"));
      }
      now = fault;
      if (poll) {
        flapDown = !flapDown;
      }
      fails = now == SimulatedFault.FLAPPING && flapDown;
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    if (now == SimulatedFault.UNRESPONSIVE) {
      later(
          settings.timeout(),
          () ->
              result.completeExceptionally(
                  new DriverException(
                      DriverException.Kind.TIMEOUT,
                      componentId
                          + " did not answer within "
                          + settings.timeout().toMillis()
                          + " ms (simulated: unresponsive)")));
      return result;
    }
    if (fails) {
      later(
          scaled(settings.answerTime()),
          () ->
              result.completeExceptionally(
                  new DriverException(
                      DriverException.Kind.UNREACHABLE,
                      componentId + " dropped the call (simulated: flapping)")));
      return result;
    }
    if (onReceipt) {
      CompletableFuture<T> taken = new CompletableFuture<>();
      complete(taken, reply);
      later(
          scaled(settings.answerTime()),
          () ->
              taken.whenComplete(
                  (value, failure) -> {
                    if (failure != null) {
                      result.completeExceptionally(failure);
                    } else {
                      result.complete(value);
                    }
                  }));
      return result;
    }
    later(scaled(settings.answerTime()), () -> complete(result, reply));
    return result;
  }

  private static <T> void complete(CompletableFuture<T> result, Supplier<T> reply) {
    try {
      result.complete(reply.get());
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
    }
  }

  /** Enters {@code via} now and {@code to} after the transition time, unless overtaken. */
  private void moveTo(FsmState via, FsmState to) {
    state = via;
    long expected = ++generation;
    later(
        scaled(settings.transitionTime()),
        () -> {
          Runnable announce;
          synchronized (this) {
            if (generation != expected || closed) {
              return;
            }
            state = to;
            announce = changeListener;
          }
          if (announce != null) {
            announce.run();
          }
        });
  }

  private synchronized Duration scaled(Duration base) {
    return fault == SimulatedFault.SLOW ? base.multipliedBy(settings.slowFactor()) : base;
  }

  private void later(Duration delay, Runnable action) {
    scheduler.scheduleOnce(delay, action, executor);
  }
}
