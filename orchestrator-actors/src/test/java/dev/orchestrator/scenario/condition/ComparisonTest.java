package dev.orchestrator.scenario.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.junit.jupiter.api.Test;

/** How health fields and query values compare with the value a condition names. */
class ComparisonTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static Comparison.Outcome compare(String actual, String op, String expected)
      throws Exception {
    return Comparison.compare(JSON.readTree(actual), op, JSON.readTree(expected));
  }

  @Test
  void numbersCompareNumericallyWhateverTheirType() throws Exception {
    assertEquals(new Comparison.Outcome(true, "= 1.0"), compare("1", "eq", "1.0"));
    assertEquals(new Comparison.Outcome(true, "= 1"), compare("1", null, "1"));
    assertEquals(new Comparison.Outcome(false, "not != 1"), compare("1.00", "ne", "1"));
    assertEquals(new Comparison.Outcome(true, "< 50"), compare("42", "lt", "50"));
    assertEquals(new Comparison.Outcome(false, "not < 42"), compare("42", "lt", "42"));
    assertEquals(new Comparison.Outcome(true, "<= 42"), compare("42", "le", "42"));
    assertEquals(new Comparison.Outcome(true, "> 0.1"), compare("0.10000001", "gt", "0.1"));
    assertEquals(
        new Comparison.Outcome(false, "not > 99999999999999999999"),
        compare("99999999999999999999", "gt", "99999999999999999999"));
    assertEquals(new Comparison.Outcome(true, ">= -3"), compare("-2.5", "ge", "-3"));
  }

  @Test
  void textsAndBooleansCompareByEqualityOfTypeAndValue() throws Exception {
    assertEquals(new Comparison.Outcome(true, "= \"ok\""), compare("\"ok\"", "eq", "\"ok\""));
    assertEquals(new Comparison.Outcome(false, "not = \"ok\""), compare("\"OK\"", "eq", "\"ok\""));
    assertEquals(new Comparison.Outcome(true, "= true"), compare("true", "eq", "true"));
    assertEquals(new Comparison.Outcome(true, "!= true"), compare("false", "ne", "true"));
    assertEquals(new Comparison.Outcome(false, "not = 42"), compare("\"42\"", "eq", "42"));
    assertEquals(new Comparison.Outcome(true, "!= 42"), compare("\"42\"", "ne", "42"));
    assertEquals(new Comparison.Outcome(false, "not = 1"), compare("{\"a\": 1}", "eq", "1"));
  }

  @Test
  void orderingSomethingThatIsNotANumberIsFalse() throws Exception {
    assertEquals(
        new Comparison.Outcome(false, "not a number, so not < 50"),
        compare("\"high\"", "lt", "50"));
    assertEquals(
        new Comparison.Outcome(false, "not a number, so not >= 1"), compare("true", "ge", "1"));
    assertEquals(
        new Comparison.Outcome(false, "not a number, so not > 0"), compare("null", "gt", "0"));
  }

  @Test
  void nullAndMissingEqualNothing() throws Exception {
    JsonNode one = JSON.readTree("1");
    assertEquals(new Comparison.Outcome(false, "not = 1"), compare("null", "eq", "1"));
    assertEquals(
        new Comparison.Outcome(true, "!= 1"),
        Comparison.compare(MissingNode.getInstance(), "ne", one));
  }

  @Test
  void anUnknownOpIsAProgrammingError() {
    assertThrows(IllegalArgumentException.class, () -> compare("1", "like", "1"));
  }
}
