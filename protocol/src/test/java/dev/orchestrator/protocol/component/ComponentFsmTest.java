package dev.orchestrator.protocol.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orchestrator.protocol.component.ComponentFsm.Transition;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ComponentFsmTest {

  /** DESIGN.md's table, written out again by hand: (from, command) -> {via, to}. */
  private static final Map<String, List<FsmState>> EXPECTED = new HashMap<>();

  static {
    expect(FsmState.STOPPED, "CMD_INITIALIZED", FsmState.INITIALIZING, FsmState.INITIALIZED);
    expect(FsmState.INITIALIZED, "CMD_RUN", FsmState.STARTING, FsmState.RUN);
    expect(FsmState.RUN, "CMD_PAUSE", FsmState.PAUSING, FsmState.PAUSE);
    expect(FsmState.PAUSE, "CMD_RUN", FsmState.RESUMING, FsmState.RUN);
    expect(FsmState.RUN, "CMD_INITIALIZED", FsmState.SOFT_STOPPING, FsmState.INITIALIZED);
    expect(FsmState.RUN, "CMD_SOFT_STOP", FsmState.SOFT_STOPPING, FsmState.INITIALIZED);
    expect(FsmState.PAUSE, "CMD_HARD_STOP", FsmState.HARD_STOPPING, FsmState.STOPPED);
    expect(FsmState.INITIALIZED, "CMD_STOPPED", FsmState.STOPPING, FsmState.STOPPED);
    expect(FsmState.FAULT, "CMD_ACK", FsmState.ACK, FsmState.STOPPED);
  }

  private static void expect(FsmState from, String command, FsmState via, FsmState to) {
    EXPECTED.put(from + " " + command, List.of(via, to));
  }

  @Test
  void everyStateAndCommandFollowsTheTable() {
    int allowedPairs = 0;
    for (FsmState from : FsmState.values()) {
      for (LifecycleCommand command : LifecycleCommand.values()) {
        String key = from + " " + command;
        Optional<Transition> transition = ComponentFsm.transition(from, command);
        List<FsmState> expected = EXPECTED.get(key);
        if (expected == null) {
          assertTrue(transition.isEmpty(), key + " must be refused, got " + transition);
          assertFalse(ComponentFsm.allowed(from).contains(command), key + " listed as allowed");
        } else {
          allowedPairs++;
          Transition t = transition.orElseThrow(() -> new AssertionError(key + " refused"));
          assertEquals(new Transition(from, command, expected.get(0), expected.get(1)), t, key);
          assertTrue(ComponentFsm.allowed(from).contains(command), key + " not listed as allowed");
          assertTrue(ComponentFsm.isResting(from), key + ": commands start from resting states");
          assertTrue(ComponentFsm.isTransitional(t.via()), key + ": via is transitional");
          assertTrue(ComponentFsm.isResting(t.to()), key + ": target is resting");
          assertEquals(t.to(), ComponentFsm.restingTarget(t.via()), key);
        }
      }
    }
    assertEquals(EXPECTED.size(), allowedPairs);
    assertEquals(EXPECTED.size(), ComponentFsm.TABLE.size());
  }

  @Test
  void allowedCommandsPerState() {
    assertEquals(Set.of(), ComponentFsm.allowed(FsmState.UNKNOWN));
    assertEquals(
        EnumSet.of(LifecycleCommand.CMD_INITIALIZED), ComponentFsm.allowed(FsmState.STOPPED));
    assertEquals(
        EnumSet.of(LifecycleCommand.CMD_RUN, LifecycleCommand.CMD_STOPPED),
        ComponentFsm.allowed(FsmState.INITIALIZED));
    assertEquals(
        EnumSet.of(
            LifecycleCommand.CMD_INITIALIZED,
            LifecycleCommand.CMD_PAUSE,
            LifecycleCommand.CMD_SOFT_STOP),
        ComponentFsm.allowed(FsmState.RUN));
    assertEquals(
        EnumSet.of(LifecycleCommand.CMD_RUN, LifecycleCommand.CMD_HARD_STOP),
        ComponentFsm.allowed(FsmState.PAUSE));
    assertEquals(EnumSet.of(LifecycleCommand.CMD_ACK), ComponentFsm.allowed(FsmState.FAULT));
    for (FsmState state : FsmState.values()) {
      if (ComponentFsm.isTransitional(state)) {
        assertEquals(Set.of(), ComponentFsm.allowed(state), state + " is transitional");
      }
    }
  }

  @Test
  void restingAndTransitionalStates() {
    Set<FsmState> resting =
        EnumSet.of(
            FsmState.UNKNOWN,
            FsmState.STOPPED,
            FsmState.INITIALIZED,
            FsmState.RUN,
            FsmState.PAUSE,
            FsmState.FAULT);
    for (FsmState state : FsmState.values()) {
      assertEquals(resting.contains(state), ComponentFsm.isResting(state), state.name());
      assertEquals(!resting.contains(state), ComponentFsm.isTransitional(state), state.name());
      if (resting.contains(state)) {
        assertEquals(state, ComponentFsm.restingTarget(state));
      }
    }
  }

  @Test
  void startAndErrorNeedNoCommand() {
    assertEquals(FsmState.STOPPED, ComponentFsm.START_TARGET);
    assertEquals(FsmState.ON_ERROR, ComponentFsm.ERROR_VIA);
    assertEquals(FsmState.FAULT, ComponentFsm.ERROR_TARGET);
    assertEquals(FsmState.FAULT, ComponentFsm.restingTarget(FsmState.ON_ERROR));
    assertTrue(ComponentFsm.transition(FsmState.UNKNOWN, LifecycleCommand.CMD_ACK).isEmpty());
  }
}
