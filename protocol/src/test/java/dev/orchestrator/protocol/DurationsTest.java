package dev.orchestrator.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest
  @CsvSource({"500ms, 500", "30s, 30000", "5m, 300000", "1h, 3600000", "0s, 0", "90s, 90000"})
  void parsesEveryUnit(String text, long millis) {
    assertEquals(Duration.ofMillis(millis), Durations.parse(text));
  }

  @Test
  void ignoresSurroundingWhitespace() {
    assertEquals(Duration.ofSeconds(30), Durations.parse(" 30s\n"));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "abc",
        "",
        " ",
        "-1s",
        "1.5s",
        "10d",
        "30",
        "s",
        "1 s",
        "1S",
        "1sec",
        "1234567890s"
      })
  void refusesWhatIsNotADuration(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(text));
    assertTrue(e.getMessage().contains("'" + text + "' is not a duration"), e.getMessage());
    assertTrue(e.getMessage().contains("500ms, 30s, 5m or 1h"), e.getMessage());
  }

  @Test
  void refusesNullWithAnExample() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Durations.parse(null));
    assertEquals("a duration is required, such as 500ms, 30s, 5m or 1h", e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"500ms", "1500ms", "30s", "90s", "5m", "90m", "1h", "36h", "0s"})
  void formatsBackToWhatWasWritten(String text) {
    assertEquals(text, Durations.format(Durations.parse(text)));
  }

  @ParameterizedTest
  @CsvSource({"60s, 1m", "60m, 1h", "1000ms, 1s", "120000ms, 2m", "0ms, 0s", "0h, 0s"})
  void formatsTheShortestExactForm(String written, String shortest) {
    assertEquals(shortest, Durations.format(Durations.parse(written)));
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 999, 1001, 59_999, 60_000, 61_000, 3_599_000, 3_600_000, 86_400_000})
  void parseOfFormatIsTheSameDuration(long millis) {
    Duration d = Duration.ofMillis(millis);
    assertEquals(d, Durations.parse(Durations.format(d)));
  }
}
