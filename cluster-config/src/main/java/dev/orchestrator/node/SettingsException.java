package dev.orchestrator.node;

/** A setting that cannot work; its message is one line that names the variable and the fix. */
public final class SettingsException extends RuntimeException {
  public SettingsException(String message) {
    super(message);
  }
}
