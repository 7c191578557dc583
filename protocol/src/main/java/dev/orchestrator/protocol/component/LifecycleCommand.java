package dev.orchestrator.protocol.component;

/**
 * The lifecycle commands an operator or a scenario sends to a component, named as avena components
 * expect them in {@code event_type}. Which one is allowed from which state is the FSM table of
 * DESIGN.md.
 */
public enum LifecycleCommand {
  CMD_INITIALIZED,
  CMD_RUN,
  CMD_PAUSE,
  CMD_SOFT_STOP,
  CMD_HARD_STOP,
  CMD_STOPPED,
  CMD_ACK
}
