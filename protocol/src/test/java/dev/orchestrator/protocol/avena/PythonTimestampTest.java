package dev.orchestrator.protocol.avena;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.LocalDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PythonTimestampTest {

  @Test
  void formatsAsPythonStrDoes() {
    assertEquals(
        "2026-11-22 05:00:00.123456",
        PythonTimestamp.format(LocalDateTime.of(2026, 11, 22, 5, 0, 0, 123_456_000)));
    // str(datetime) leaves the fraction out when microsecond == 0
    assertEquals(
        "2026-11-22 05:00:00", PythonTimestamp.format(LocalDateTime.of(2026, 11, 22, 5, 0, 0)));
    // below a microsecond is cut, as Python has no nanoseconds
    assertEquals(
        "2026-01-02 03:04:05.000001",
        PythonTimestamp.format(LocalDateTime.of(2026, 1, 2, 3, 4, 5, 1_999)));
    assertEquals(
        "2026-01-02 03:04:05", PythonTimestamp.format(LocalDateTime.of(2026, 1, 2, 3, 4, 5, 999)));
  }

  @Test
  void parsesWithAndWithoutMicroseconds() {
    assertEquals(
        LocalDateTime.of(2026, 11, 22, 5, 0, 0, 123_456_000),
        PythonTimestamp.parse("2026-11-22 05:00:00.123456"));
    assertEquals(
        LocalDateTime.of(2026, 11, 22, 5, 0, 0), PythonTimestamp.parse("2026-11-22 05:00:00"));
    // isoformat() and pydantic's JSON mode write a T
    assertEquals(
        LocalDateTime.of(2026, 11, 22, 5, 0, 0, 500_000_000),
        PythonTimestamp.parse("2026-11-22T05:00:00.5"));
  }

  @Test
  void roundTrips() {
    for (String text :
        new String[] {"2026-11-22 05:00:00.123456", "2026-11-22 05:00:00", "0999-12-31 23:59:59"}) {
      assertEquals(text, PythonTimestamp.format(PythonTimestamp.parse(text)));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "yesterday",
        "2026-11-22",
        "2026-11-22 05:00",
        "2026-11-22 05:00:00.1234567",
        "2026-11-22 05:00:00.",
        "2026-11-22 05:00:00+00:00",
        "2026-11-22 05:00:00Z",
        "2026-13-22 05:00:00",
        "2026-02-30 05:00:00",
        "2026-11-22 25:00:00",
        " 2026-11-22 05:00:00"
      })
  void refusesMalformed(String text) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PythonTimestamp.parse(text));
    assertTrue(
        e.getMessage().contains(text.strip().isEmpty() ? "''" : text.strip()), e::getMessage);
  }

  @Test
  void refusesNull() {
    assertThrows(IllegalArgumentException.class, () -> PythonTimestamp.parse(null));
  }
}
