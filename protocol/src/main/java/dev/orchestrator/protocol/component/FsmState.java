package dev.orchestrator.protocol.component;

/** The lifecycle states of a component, as avena components report them in {@code fsm_state}. */
public enum FsmState {
  UNKNOWN,
  STOPPED,
  INITIALIZING,
  INITIALIZED,
  STARTING,
  RUN,
  PAUSING,
  PAUSE,
  RESUMING,
  SOFT_STOPPING,
  HARD_STOPPING,
  STOPPING,
  ON_ERROR,
  FAULT,
  ACK
}
