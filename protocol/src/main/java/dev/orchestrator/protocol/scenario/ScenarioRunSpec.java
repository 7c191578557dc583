package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.orchestrator.protocol.JsonSerializable;
import java.util.List;

/**
 * Everything a run needs to go on by itself after a crash: the definition as it was when the run
 * was admitted (a later edit does not change a run under way), the trigger and why it fired.
 *
 * @param version the definition's version at admission
 * @param parentRunId the run whose {@code execute_scenario} started this one; null for a top run
 * @param chain the scenario names from the top run down to this one's parent, to refuse cycles
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ScenarioRunSpec(
    Scenario definition,
    long version,
    RunTrigger trigger,
    Explanation explanation,
    String parentRunId,
    List<String> chain)
    implements JsonSerializable {
  public ScenarioRunSpec {
    chain = chain == null ? List.of() : List.copyOf(chain);
  }

  public String scenario() {
    return definition.name();
  }

  /** How deep this run is nested: 0 for a top run. */
  public int depth() {
    return chain.size();
  }
}
