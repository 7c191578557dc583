package dev.orchestrator.scenario.action;

/** An action did not do what it should; the message is shown in the run report as it is. */
public final class ActionFailed extends RuntimeException {
  public ActionFailed(String message) {
    super(message, null, false, false);
  }

  public ActionFailed(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
