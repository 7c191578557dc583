package dev.orchestrator.protocol.scenario;

/** Where a scenario run stands, as {@code run} conditions name it. */
public enum RunStatus {
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED,
  TIMED_OUT
}
