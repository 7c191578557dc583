package dev.orchestrator.protocol.command;

/** Where a durable command stands. The last five are final: nothing changes them any more. */
public enum CommandStatus {
  /** Accepted; waiting for a node with the target role, or for its next attempt. */
  PENDING,
  /** Accepted; waits for its {@code scheduledAt}. */
  SCHEDULED,
  /** An attempt is running on some node. */
  RUNNING,
  SUCCEEDED,
  /** The last attempt failed. */
  FAILED,
  CANCELLED,
  /** The last attempt ran past the command's timeout. */
  TIMED_OUT,
  /** No node knows a handler of this name. */
  NOT_FOUND;

  public boolean isFinal() {
    return this == SUCCEEDED
        || this == FAILED
        || this == CANCELLED
        || this == TIMED_OUT
        || this == NOT_FOUND;
  }
}
