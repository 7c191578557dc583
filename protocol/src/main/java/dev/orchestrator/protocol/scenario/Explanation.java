package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.orchestrator.protocol.JsonSerializable;
import java.util.List;

/**
 * Why a condition tree had the value it had: one node per condition, leaves saying what they saw.
 * Stored with the run it let start, and shown in its report.
 *
 * @param condition the key of the condition ({@code all}, {@code component}, ...)
 * @param value what it evaluated to
 * @param detail for a leaf, what it looked at and found ({@code "ups: FAULT for 12s (>= 10s)"});
 *     for a combinator, null
 * @param children the explanations of the conditions under a combinator; empty for a leaf
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Explanation(
    String condition, boolean value, String detail, List<Explanation> children)
    implements JsonSerializable {
  public Explanation {
    children = children == null ? List.of() : List.copyOf(children);
  }

  /** A leaf's explanation. */
  public static Explanation leaf(String condition, boolean value, String detail) {
    return new Explanation(condition, value, detail, List.of());
  }

  /** What a scenario without conditions is explained by. */
  public static Explanation none() {
    return leaf("none", true, "the scenario has no conditions");
  }
}
