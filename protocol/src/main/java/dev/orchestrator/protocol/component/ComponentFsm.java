package dev.orchestrator.protocol.component;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The lifecycle FSM of DESIGN.md as data: from a resting state, a lifecycle command leads through a
 * transitional ("via") state to a resting target. Two moves need no command: a component that
 * starts goes from {@link FsmState#UNKNOWN} to {@link FsmState#STOPPED}, and an error takes any
 * state through {@link FsmState#ON_ERROR} to {@link FsmState#FAULT}.
 */
public final class ComponentFsm {

  /** One row of the table: {@code from --command--> via --> to}. */
  public record Transition(FsmState from, LifecycleCommand command, FsmState via, FsmState to) {}

  /** The commanded rows of the table, in DESIGN.md's order. */
  public static final List<Transition> TABLE =
      List.of(
          row(
              FsmState.STOPPED,
              LifecycleCommand.CMD_INITIALIZED,
              FsmState.INITIALIZING,
              FsmState.INITIALIZED),
          row(FsmState.INITIALIZED, LifecycleCommand.CMD_RUN, FsmState.STARTING, FsmState.RUN),
          row(FsmState.RUN, LifecycleCommand.CMD_PAUSE, FsmState.PAUSING, FsmState.PAUSE),
          row(FsmState.PAUSE, LifecycleCommand.CMD_RUN, FsmState.RESUMING, FsmState.RUN),
          row(
              FsmState.RUN,
              LifecycleCommand.CMD_INITIALIZED,
              FsmState.SOFT_STOPPING,
              FsmState.INITIALIZED),
          row(
              FsmState.RUN,
              LifecycleCommand.CMD_SOFT_STOP,
              FsmState.SOFT_STOPPING,
              FsmState.INITIALIZED),
          row(
              FsmState.PAUSE,
              LifecycleCommand.CMD_HARD_STOP,
              FsmState.HARD_STOPPING,
              FsmState.STOPPED),
          row(
              FsmState.INITIALIZED,
              LifecycleCommand.CMD_STOPPED,
              FsmState.STOPPING,
              FsmState.STOPPED),
          row(FsmState.FAULT, LifecycleCommand.CMD_ACK, FsmState.ACK, FsmState.STOPPED));

  /** Where a component that starts (no command) goes from {@link FsmState#UNKNOWN}. */
  public static final FsmState START_TARGET = FsmState.STOPPED;

  /** The transitional state of an error, from any state. */
  public static final FsmState ERROR_VIA = FsmState.ON_ERROR;

  /** The resting state of an error, from any state. */
  public static final FsmState ERROR_TARGET = FsmState.FAULT;

  private static final Set<FsmState> RESTING =
      Collections.unmodifiableSet(
          EnumSet.of(
              FsmState.UNKNOWN,
              FsmState.STOPPED,
              FsmState.INITIALIZED,
              FsmState.RUN,
              FsmState.PAUSE,
              FsmState.FAULT));

  private static final Map<FsmState, FsmState> TARGET_OF_VIA = new EnumMap<>(FsmState.class);

  static {
    for (Transition t : TABLE) {
      TARGET_OF_VIA.put(t.via(), t.to());
    }
    TARGET_OF_VIA.put(ERROR_VIA, ERROR_TARGET);
  }

  private ComponentFsm() {}

  private static Transition row(
      FsmState from, LifecycleCommand command, FsmState via, FsmState to) {
    return new Transition(from, command, via, to);
  }

  /** The transition {@code command} starts from {@code from}; empty when the FSM forbids it. */
  public static Optional<Transition> transition(FsmState from, LifecycleCommand command) {
    return TABLE.stream().filter(t -> t.from() == from && t.command() == command).findFirst();
  }

  /**
   * The commands allowed from {@code state}, in declaration order; empty from a transitional one.
   */
  public static Set<LifecycleCommand> allowed(FsmState state) {
    EnumSet<LifecycleCommand> allowed = EnumSet.noneOf(LifecycleCommand.class);
    TABLE.stream().filter(t -> t.from() == state).forEach(t -> allowed.add(t.command()));
    return Collections.unmodifiableSet(allowed);
  }

  /** True for a state a component stays in until told otherwise (or an error). */
  public static boolean isResting(FsmState state) {
    return RESTING.contains(state);
  }

  /** True for a state a component passes through on its way to a resting one. */
  public static boolean isTransitional(FsmState state) {
    return !isResting(state);
  }

  /** The resting state a transitional state leads to; a resting state leads to itself. */
  public static FsmState restingTarget(FsmState state) {
    return isResting(state) ? state : TARGET_OF_VIA.get(state);
  }
}
