package dev.orchestrator.protocol.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.ZonedDateTime;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CronExpressionTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0 3 * * *            | 2026-11-22T02:59:59Z              | 2026-11-22T03:00Z",
        "0 3 * * *            | 2026-11-22T03:00Z                 | 2026-11-23T03:00Z",
        "*/15 * * * *         | 2026-11-22T10:07:12Z              | 2026-11-22T10:15Z",
        "0 9-17/4 * * MON-FRI | 2026-11-21T12:00Z                 | 2026-11-23T09:00Z",
        "30 0 0 1 JAN *       | 2026-11-22T00:00Z                 | 2027-01-01T00:00:30Z",
        "0 0 1 * 7            | 2026-11-22T00:00Z                 | 2026-11-29T00:00Z",
        "0 0 13 * FRI         | 2026-11-22T00:00Z                 | 2026-11-27T00:00Z",
        "0 0 29 2 ?           | 2026-11-22T00:00Z                 | 2028-02-29T00:00Z",
        "@hourly              | 2026-11-22T10:07Z                 | 2026-11-22T11:00Z",
        "0 2 * * *            | 2026-03-28T03:00+01:00[Europe/Warsaw] | 2026-03-30T02:00+02:00[Europe/Warsaw]",
      })
  void nextFire(String cron, String after, String expected) {
    assertEquals(
        ZonedDateTime.parse(expected), CronExpression.parse(cron).next(ZonedDateTime.parse(after)));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "61 * * * *      | minute 61 is out of range",
        "* * * *         | has 4 fields",
        "* * * * * * *   | has 7 fields",
        "5-1 * * * *     | runs backwards",
        "*/0 * * * *     | minute step 0 is out of range",
        "? * * * *       | only in the day fields",
        "0 0 * FOO *     | 'FOO' is not a valid month",
        "0 0 31 2 *      | never fires",
        "@often          | unknown cron macro",
        "1,,2 * * * *    | '' is not a valid minute",
        "0 0 L * *       | 'L' is not a valid day-of-month",
      })
  void invalid(String cron, String message) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CronExpression.parse(cron));
    assertTrue(e.getMessage().contains(message), e::getMessage);
  }
}
