package dev.orchestrator.component.driver;

/** A driver call that failed: no answer in time, a refused connection, a malformed reply. */
public final class DriverException extends RuntimeException {

  /** Why the call failed, for breaker and unreachable accounting. */
  public enum Kind {
    /** No answer before the deadline. */
    TIMEOUT,
    /** The component could not be reached (connection refused, reset, DNS). */
    UNREACHABLE,
    /** The component answered something that is not a valid reply. */
    MALFORMED,
    /** The component answered with a failure result. */
    REFUSED
  }

  private final Kind kind;

  public DriverException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public DriverException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
