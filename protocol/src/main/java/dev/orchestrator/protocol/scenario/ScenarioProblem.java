package dev.orchestrator.protocol.scenario;

import dev.orchestrator.protocol.JsonSerializable;

/**
 * One reason a scenario file was rejected.
 *
 * @param file the file name (or what the caller called the text), null when there is none
 * @param line 1-based line of the offending node; 0 when the problem concerns the whole file
 * @param column 1-based column of the offending node; 0 when the problem concerns the whole file
 * @param path where in the document, such as {@code actions[2].on_failure[0].to}; empty for the
 *     document itself
 * @param message what is wrong, in a sentence that says how to fix it where it can
 */
public record ScenarioProblem(String file, int line, int column, String path, String message)
    implements JsonSerializable {

  /** As compilers print it: {@code file:line:column: path: message}. */
  @Override
  public String toString() {
    return (file == null ? "" : file + ":")
        + line
        + ":"
        + column
        + ": "
        + (path.isEmpty() ? "" : path + ": ")
        + message;
  }
}
