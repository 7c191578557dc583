package dev.orchestrator.command.spi;

/** Fails a command at once, without the retries left: the input can never work, say. */
public final class PermanentFailure extends RuntimeException {
  public PermanentFailure(String message) {
    super(message);
  }

  public PermanentFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
