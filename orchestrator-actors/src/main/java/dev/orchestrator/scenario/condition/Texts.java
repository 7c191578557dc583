package dev.orchestrator.scenario.condition;

import java.sql.SQLException;
import java.time.Duration;
import java.util.List;

/** How explanations write durations, lists of states and database errors. */
final class Texts {
  private Texts() {}

  /**
   * {@code 450ms} under a second, else whole seconds and up: {@code 12s}, {@code 5m3s}, {@code 2h}.
   */
  static String duration(Duration d) {
    long ms = Math.max(0, d.toMillis());
    if (ms < 1000) {
      return ms + "ms";
    }
    long s = ms / 1000;
    StringBuilder text = new StringBuilder();
    if (s >= 3600) {
      text.append(s / 3600).append('h');
    }
    if (s % 3600 >= 60) {
      text.append(s % 3600 / 60).append('m');
    }
    if (s % 60 > 0) {
      text.append(s % 60).append('s');
    }
    return text.toString();
  }

  /** {@code "not FAULT"} for one value, {@code "not in [FAULT, STOPPED]"} for several. */
  static String notIn(List<?> values) {
    return values.size() == 1 ? "not " + values.get(0) : "not in " + values;
  }

  /**
   * Whether a status read from a table is one of {@code wanted}, by name: an unknown one is not.
   */
  static boolean isOneOf(String status, List<? extends Enum<?>> wanted) {
    return wanted.stream().map(Enum::name).anyMatch(n -> n.equals(status));
  }

  /**
   * {@code "SUCCEEDED"} when it is one of {@code wanted}, else {@code "FAILED (not SUCCEEDED)"}.
   */
  static String status(String status, List<? extends Enum<?>> wanted) {
    return isOneOf(status, wanted) ? status : status + " (" + notIn(wanted) + ")";
  }

  /** One line that says what the database answered, with the SQLSTATE; no password in it. */
  static String sqlError(SQLException e) {
    StringBuilder text = new StringBuilder(firstLine(e.getMessage()));
    Throwable cause = e.getCause();
    if (cause != null && cause.getMessage() != null && !cause.getMessage().equals(e.getMessage())) {
      text.append(": ").append(firstLine(cause.getMessage()));
    }
    if (e.getSQLState() != null) {
      text.append(" (SQLSTATE ").append(e.getSQLState()).append(')');
    }
    return Datasources.withoutPassword(text.toString());
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    int end = message.indexOf('\n');
    return (end < 0 ? message : message.substring(0, end)).strip();
  }
}
