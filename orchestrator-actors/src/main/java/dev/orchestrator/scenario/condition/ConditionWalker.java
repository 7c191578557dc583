package dev.orchestrator.scenario.condition;

import dev.orchestrator.protocol.scenario.Condition;
import dev.orchestrator.protocol.scenario.Explanation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Walks a condition tree: every child of every combinator is evaluated (none is skipped once the
 * answer is known, so that the explanation shows every leaf), all leaves at once, and each
 * combinator's value is computed from its children's by {@link #value}.
 */
final class ConditionWalker {

  /** Evaluates one leaf (any condition that is not a combinator). */
  @FunctionalInterface
  interface LeafEvaluator {
    CompletionStage<Explanation> evaluate(Condition leaf, Instant now);
  }

  private final LeafEvaluator leaves;

  ConditionWalker(LeafEvaluator leaves) {
    this.leaves = leaves;
  }

  CompletableFuture<Explanation> evaluate(Condition condition, Instant now) {
    try {
      String key = combinatorKey(condition);
      if (key == null) {
        return leaves.evaluate(condition, now).toCompletableFuture();
      }
      if (condition instanceof Condition.Not not && not.not() == null) {
        throw new IllegalArgumentException("not needs one condition");
      }
      List<CompletableFuture<Explanation>> children = new ArrayList<>();
      for (Condition child : condition.children()) {
        children.add(evaluate(child, now));
      }
      return CompletableFuture.allOf(children.toArray(CompletableFuture[]::new))
          .thenApply(
              done -> {
                List<Explanation> explained =
                    children.stream().map(CompletableFuture::join).toList();
                return new Explanation(key, value(condition, explained), null, explained);
              });
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The key a combinator is written with ({@code and}/{@code or} are read as all/any), else null.
   */
  static String combinatorKey(Condition condition) {
    if (condition == null) {
      throw new IllegalArgumentException("a condition is required");
    }
    if (condition instanceof Condition.All) {
      return "all";
    } else if (condition instanceof Condition.Any) {
      return "any";
    } else if (condition instanceof Condition.Not) {
      return "not";
    } else if (condition instanceof Condition.Xor) {
      return "xor";
    } else if (condition instanceof Condition.Nand) {
      return "nand";
    } else if (condition instanceof Condition.Nor) {
      return "nor";
    }
    return null;
  }

  /**
   * A combinator's value from its children's: all when every one is true, any when one or more, not
   * when its one child is false, xor when exactly one, nand when not every one, nor when none.
   */
  static boolean value(Condition combinator, List<Explanation> children) {
    long trues = children.stream().filter(Explanation::value).count();
    int n = children.size();
    if (combinator instanceof Condition.All) {
      return trues == n;
    } else if (combinator instanceof Condition.Any) {
      return trues > 0;
    } else if (combinator instanceof Condition.Not) {
      return trues == 0;
    } else if (combinator instanceof Condition.Xor) {
      return trues == 1;
    } else if (combinator instanceof Condition.Nand) {
      return trues < n;
    } else if (combinator instanceof Condition.Nor) {
      return trues == 0;
    }
    throw new IllegalArgumentException("not a combinator: " + combinator);
  }
}
