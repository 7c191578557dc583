package dev.orchestrator.scenario.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orchestrator.protocol.scenario.Condition;
import dev.orchestrator.protocol.scenario.Explanation;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The time leaf as a function of the instant it is given. */
class TimeLeafTest {

  private static Explanation at(
      String instant, List<String> days, String from, String to, String zone) {
    return TimeLeaf.evaluate(
        new Condition.TimeWindow(days, List.of(from, to), zone), Instant.parse(instant));
  }

  private static boolean in(String instant, String from, String to) {
    return at(instant, null, from, to, null).value();
  }

  @Test
  void aWindowWithinADayIncludesItsStartAndExcludesItsEnd() {
    assertFalse(in("2030-05-01T08:59:59.999Z", "09:00", "17:00"));
    assertTrue(in("2030-05-01T09:00:00Z", "09:00", "17:00"));
    assertTrue(in("2030-05-01T16:59:59.999Z", "09:00", "17:00"));
    assertFalse(in("2030-05-01T17:00:00Z", "09:00", "17:00"));
  }

  @Test
  void aWindowAcrossMidnightHoldsLateEveningAndEarlyMorning() {
    assertFalse(in("2030-05-01T21:59:00Z", "22:00", "06:00"));
    assertTrue(in("2030-05-01T22:00:00Z", "22:00", "06:00"));
    assertTrue(in("2030-05-01T23:59:59Z", "22:00", "06:00"));
    assertTrue(in("2030-05-02T00:00:00Z", "22:00", "06:00"));
    assertTrue(in("2030-05-02T05:59:59Z", "22:00", "06:00"));
    assertFalse(in("2030-05-02T06:00:00Z", "22:00", "06:00"));
    assertFalse(in("2030-05-02T12:00:00Z", "22:00", "06:00"));
  }

  @Test
  void theTimezoneDecidesTheLocalTimeAndIsNamedInTheDetail() {
    // 21:10 UTC is 23:10 in Warsaw in May (CEST, UTC+2).
    Explanation warsaw = at("2030-05-01T21:10:00Z", null, "22:00", "06:00", "Europe/Warsaw");
    assertTrue(warsaw.value());
    assertEquals("time", warsaw.condition());
    assertEquals("time 23:10 Europe/Warsaw in 22:00-06:00", warsaw.detail());

    Explanation utc = at("2030-05-01T21:10:00Z", null, "22:00", "06:00", null);
    assertFalse(utc.value());
    assertEquals("time 21:10 UTC not in 22:00-06:00", utc.detail());
  }

  @Test
  void daysRestrictTheDayTheWindowStartsOn() {
    // 2030-05-06 is a Monday.
    List<String> mondays = List.of("mon");
    Explanation mondayNight = at("2030-05-06T23:00:00Z", mondays, "22:00", "06:00", null);
    assertTrue(mondayNight.value());
    assertEquals(
        "time Mon 23:00 UTC in 22:00-06:00, started on Mon, one of Mon", mondayNight.detail());

    Explanation tuesdayMorning = at("2030-05-07T05:00:00Z", mondays, "22:00", "06:00", null);
    assertTrue(tuesdayMorning.value(), "the window that started on Monday evening");
    assertEquals(
        "time Tue 05:00 UTC in 22:00-06:00, started on Mon, one of Mon", tuesdayMorning.detail());

    Explanation mondayMorning = at("2030-05-06T05:00:00Z", mondays, "22:00", "06:00", null);
    assertFalse(mondayMorning.value(), "that window started on Sunday");
    assertEquals(
        "time Mon 05:00 UTC in 22:00-06:00 but started on Sun, not one of Mon",
        mondayMorning.detail());

    Explanation weekdays =
        at(
            "2030-05-11T10:00:00Z",
            List.of("Monday", "TUE", "wed", "thu", "fri"),
            "09:00",
            "17:00",
            null);
    assertFalse(weekdays.value(), "a Saturday");
    assertEquals(
        "time Sat 10:00 UTC in 09:00-17:00 but started on Sat, not one of Mon, Tue, Wed, Thu, Fri",
        weekdays.detail());
  }

  @Test
  void aDefinitionTheValidatorWouldRefuseIsFalseWithTheReason() {
    Explanation badZone = at("2030-05-01T12:00:00Z", null, "09:00", "17:00", "Mars/Olympus");
    assertFalse(badZone.value());
    assertTrue(badZone.detail().startsWith("time window cannot be read: "), badZone.detail());
    assertTrue(badZone.detail().contains("Mars/Olympus"), badZone.detail());
  }
}
