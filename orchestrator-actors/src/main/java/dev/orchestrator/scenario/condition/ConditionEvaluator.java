package dev.orchestrator.scenario.condition;

import dev.orchestrator.protocol.scenario.Condition;
import dev.orchestrator.protocol.scenario.Explanation;
import java.time.Instant;
import java.util.concurrent.CompletionStage;

/**
 * Evaluates condition trees. A leaf that cannot be read (a database that does not answer in time)
 * is false, and its explanation says why; the stage itself fails only on a programming error.
 */
public interface ConditionEvaluator {

  /** The value of {@code condition} at {@code now}, with every leaf's explanation. */
  CompletionStage<Explanation> evaluate(Condition condition, Instant now);
}
