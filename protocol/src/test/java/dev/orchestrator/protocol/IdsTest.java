package dev.orchestrator.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class IdsTest {

  @ParameterizedTest
  @ValueSource(strings = {"a", "Z", "7", "pump-1", "db_main.v2", "9lives", "A.b-c_d"})
  void acceptsLettersDigitsAndSeparators(String id) {
    assertNull(Ids.problem("component id", id));
  }

  @Test
  void acceptsSixtyFourCharacters() {
    assertNull(Ids.problem("component id", "a".repeat(Ids.MAX_LENGTH)));
  }

  @ParameterizedTest
  @NullAndEmptySource
  void refusesNothing(String id) {
    assertEquals("component id must not be empty", Ids.problem("component id", id));
  }

  @Test
  void refusesSixtyFiveCharacters() {
    assertEquals(
        "group name is 65 characters long; at most 64 allowed",
        Ids.problem("group name", "a".repeat(65)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"-pump", "_pump", ".pump", "pump 1", "a/b", "a:b", "pompa-ż", "a\nb", "a*", " a"})
  void refusesOtherCharactersAndSeparatorsInFront(String id) {
    String problem = Ids.problem("component id", id);
    assertNotNull(problem, id);
    assertTrue(problem.startsWith("component id '" + id + "' may contain only"), problem);
    assertTrue(problem.endsWith("must start with a letter or digit"), problem);
  }
}
