package dev.orchestrator.scenario.action;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a step did.
 *
 * @param detail one line for the run report, such as {@code "mail to 2 recipients accepted"}
 * @param output a result to keep with the step (a command's output, a lifecycle run id); null when
 *     none
 */
public record ActionResult(String detail, JsonNode output) {
  public static ActionResult of(String detail) {
    return new ActionResult(detail, null);
  }
}
