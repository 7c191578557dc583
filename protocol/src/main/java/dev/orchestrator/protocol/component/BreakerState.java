package dev.orchestrator.protocol.component;

/** A component's circuit breaker: whether the orchestrator still calls its driver. */
public enum BreakerState {
  /** Calls go through. */
  CLOSED,
  /** Too many calls failed in a row: no calls until the backoff is over. */
  OPEN,
  /** The backoff is over: one probe decides between CLOSED and OPEN again. */
  HALF_OPEN
}
