package dev.orchestrator.component;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.TimerScheduler;
import dev.orchestrator.component.ComponentInternal.ChangeAnnounced;
import dev.orchestrator.component.ComponentInternal.HealthChecked;
import dev.orchestrator.component.ComponentInternal.PollTick;
import dev.orchestrator.component.ComponentInternal.Polled;
import dev.orchestrator.component.ComponentInternal.Sent;
import dev.orchestrator.component.ComponentState.Active;
import dev.orchestrator.component.driver.ComponentDriver;
import dev.orchestrator.component.driver.ComponentDrivers;
import dev.orchestrator.component.driver.DriverException;
import dev.orchestrator.component.driver.simulated.SimulatedDriver;
import dev.orchestrator.protocol.component.ComponentCommand;
import dev.orchestrator.protocol.component.LifecycleCommand;
import dev.orchestrator.protocol.component.SimulatedFault;
import java.time.Duration;
import java.util.concurrent.CompletionException;

/**
 * The driver of one incarnation of a {@link ComponentEntity} and the timing of its polls: nothing
 * here is journaled. Each start of a driver is a new generation; answers of an older generation (a
 * poll under way when the spec changed) are recognised by {@link #current} and dropped. One poll at
 * a time: a change announced while a poll is under way makes the next poll come at once.
 */
final class DriverSession {
  /** The first poll after a lifecycle command comes this soon; the pauses then double. */
  static final Duration EAGER_FIRST = Duration.ofMillis(20);

  private static final String POLL_TIMER = "poll";

  private final String componentId;
  private final ActorContext<ComponentCommand> context;
  private final TimerScheduler<ComponentCommand> timers;
  private final ComponentSettings settings;

  private ComponentDriver driver;
  private int generation;
  private boolean pollInFlight;

  /** A change was announced while a poll was under way: poll again when it is answered. */
  private boolean pollAgain;

  /** The next growing pause after a command; null when polling at the poll interval. */
  private Duration eagerPause;

  DriverSession(
      String componentId,
      ActorContext<ComponentCommand> context,
      TimerScheduler<ComponentCommand> timers,
      ComponentSettings settings) {
    this.componentId = componentId;
    this.context = context;
    this.timers = timers;
    this.settings = settings;
  }

  /** Starts a driver for the component as {@code state} describes it, replacing any other. */
  void start(Active state) {
    stop();
    driver =
        ComponentDrivers.create(
            context.getSystem(),
            settings,
            componentId,
            state.spec(),
            state.state(),
            state.desiredState(),
            state.fault());
    ChangeAnnounced announced = new ChangeAnnounced(generation);
    ActorRef<ComponentCommand> self = context.getSelf();
    driver.onChange(() -> self.tell(announced));
    armPoll(state.spec().pollInterval());
  }

  /** Stops the driver, if any; answers still on their way become stale. */
  void stop() {
    timers.cancel(POLL_TIMER);
    if (driver != null) {
      driver.close();
      driver = null;
    }
    generation++;
    pollInFlight = false;
    pollAgain = false;
  }

  /** Whether an answer of {@code answerGeneration} comes from the driver running now. */
  boolean current(int answerGeneration) {
    return answerGeneration == generation;
  }

  /** Whether a poll may start now: a driver runs and no poll is under way. */
  boolean canPoll() {
    return driver != null && !pollInFlight;
  }

  /**
   * A change was announced: true if a poll should start now; false if one is under way, in which
   * case the next one comes as soon as it is answered.
   */
  boolean pollNowOnAnnouncement() {
    if (pollInFlight) {
      pollAgain = true;
      return false;
    }
    return true;
  }

  /** Polls the driver, and checks its health too when {@code withHealth}. */
  void poll(long epoch, boolean withHealth) {
    pollInFlight = true;
    int asked = generation;
    context.pipeToSelf(
        driver.poll(epoch),
        (observation, failure) -> new Polled(asked, observation, describe(failure)));
    if (withHealth) {
      context.pipeToSelf(
          driver.healthCheck(epoch),
          (health, failure) -> new HealthChecked(asked, health, describe(failure)));
    }
  }

  /** A poll was answered: the next one comes after a pause (growing after a command). */
  void answered(Duration interval) {
    pollInFlight = false;
    armPoll(pollAgain ? Duration.ZERO : nextPause(interval));
    pollAgain = false;
  }

  /** Sends a lifecycle command, then looks again soon, and less and less often after. */
  void send(LifecycleCommand cmd, long epoch) {
    int asked = generation;
    context.pipeToSelf(
        driver.send(cmd, epoch), (ok, failure) -> new Sent(asked, cmd.name(), describe(failure)));
    // The transition is seen when it ends, not up to a poll interval later.
    eagerPause = EAGER_FIRST;
    if (!pollInFlight) {
      armPoll(EAGER_FIRST);
    }
  }

  /** Injects a fault into a simulated driver (other drivers take none). */
  void inject(SimulatedFault fault) {
    if (driver instanceof SimulatedDriver simulated) {
      simulated.inject(fault);
    }
  }

  void armPoll(Duration delay) {
    timers.startSingleTimer(POLL_TIMER, PollTick.INSTANCE, delay);
  }

  /** The pause before the next poll: growing after a command, else the poll interval. */
  private Duration nextPause(Duration interval) {
    if (eagerPause == null) {
      return interval;
    }
    Duration pause = eagerPause;
    Duration doubled = eagerPause.multipliedBy(2);
    eagerPause = doubled.compareTo(interval) < 0 ? doubled : null;
    return pause.compareTo(interval) < 0 ? pause : interval;
  }

  private static String describe(Throwable failure) {
    if (failure == null) {
      return null;
    }
    Throwable t =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (t instanceof DriverException driverFailure) {
      return driverFailure.kind() + ": " + driverFailure.getMessage();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
