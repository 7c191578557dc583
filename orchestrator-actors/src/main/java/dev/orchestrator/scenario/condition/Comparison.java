package dev.orchestrator.scenario.condition;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;

/**
 * Compares a value read by a {@code health} or {@code database} condition with the one the
 * condition names: numbers numerically ({@code 1} equals {@code 1.0}), anything else by equality of
 * type and value; {@code lt}, {@code le}, {@code gt} and {@code ge} hold only between numbers.
 */
final class Comparison {
  private static final Map<String, String> SYMBOLS =
      Map.of("eq", "=", "ne", "!=", "lt", "<", "le", "<=", "gt", ">", "ge", ">=");

  private Comparison() {}

  /**
   * @param value whether it holds
   * @param relation what it compared, for the explanation: {@code ">= 10"} when it holds, {@code
   *     "not >= 10"} when it does not, or why it could not compare
   */
  record Outcome(boolean value, String relation) {}

  /** The symbol of {@code op} ({@code ge} is {@code >=}); {@code eq} when op is null. */
  static String symbol(String op) {
    String symbol = SYMBOLS.get(op == null ? "eq" : op);
    if (symbol == null) {
      throw new IllegalArgumentException("unknown op '" + op + "'; use one of " + SYMBOLS.keySet());
    }
    return symbol;
  }

  /** Whether {@code actual op expected}; a missing or null {@code actual} equals nothing. */
  static Outcome compare(JsonNode actual, String op, JsonNode expected) {
    String o = op == null ? "eq" : op;
    String wanted = symbol(o) + " " + expected;
    boolean ordered = !o.equals("eq") && !o.equals("ne");
    boolean value;
    if (isNumber(actual) && isNumber(expected)) {
      int c = compareNumbers(actual, expected);
      value =
          switch (o) {
            case "eq" -> c == 0;
            case "ne" -> c != 0;
            case "lt" -> c < 0;
            case "le" -> c <= 0;
            case "gt" -> c > 0;
            default -> c >= 0;
          };
    } else if (ordered) {
      return new Outcome(false, "not a number, so not " + wanted);
    } else {
      boolean equal =
          actual != null && !actual.isMissingNode() && !actual.isNull() && actual.equals(expected);
      value = o.equals("eq") == equal;
    }
    return new Outcome(value, value ? wanted : "not " + wanted);
  }

  private static boolean isNumber(JsonNode node) {
    return node != null && node.isNumber();
  }

  private static int compareNumbers(JsonNode a, JsonNode b) {
    if (!finite(a) || !finite(b)) {
      return Double.compare(a.doubleValue(), b.doubleValue());
    }
    return a.decimalValue().compareTo(b.decimalValue());
  }

  private static boolean finite(JsonNode number) {
    return !number.isFloatingPointNumber() || Double.isFinite(number.doubleValue());
  }
}
