package dev.orchestrator.scenario.condition;

import dev.orchestrator.protocol.scenario.Condition;
import dev.orchestrator.protocol.scenario.Explanation;
import dev.orchestrator.protocol.scenario.ScenarioValidator;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code time: {between, days, timezone}}: a pure function of the instant. The window starts at the
 * first time (inside) and ends at the second (outside), on the next day when the second is not
 * after the first; {@code days} name the days a window may start on; UTC when no timezone.
 */
final class TimeLeaf {
  private static final DateTimeFormatter HH_MM = DateTimeFormatter.ofPattern("HH:mm");

  private TimeLeaf() {}

  static Explanation evaluate(Condition.TimeWindow leaf, Instant now) {
    try {
      return explain(leaf, now);
    } catch (DateTimeException | IllegalArgumentException | IndexOutOfBoundsException e) {
      // The validator refuses these; a definition stored before a rule existed still says why.
      return Explanation.leaf("time", false, "time window cannot be read: " + e.getMessage());
    }
  }

  private static Explanation explain(Condition.TimeWindow leaf, Instant now) {
    ZoneId zone = ZoneId.of(leaf.timezone() == null ? "UTC" : leaf.timezone());
    LocalTime from = LocalTime.parse(leaf.between().get(0));
    LocalTime to = LocalTime.parse(leaf.between().get(1));
    ZonedDateTime local = now.atZone(zone);
    LocalTime time = local.toLocalTime();
    LocalDate today = local.toLocalDate();

    boolean inside;
    LocalDate started = today;
    if (from.isBefore(to)) {
      inside = !time.isBefore(from) && time.isBefore(to);
    } else if (!time.isBefore(from)) {
      inside = true;
    } else {
      inside = time.isBefore(to);
      started = today.minusDays(1);
    }

    String window = HH_MM.format(from) + "-" + HH_MM.format(to);
    StringBuilder detail = new StringBuilder("time ");
    List<DayOfWeek> days = days(leaf.days());
    if (days != null) {
      detail.append(day(today.getDayOfWeek())).append(' ');
    }
    detail.append(HH_MM.format(time)).append(' ').append(zone.getId());
    if (!inside) {
      return Explanation.leaf("time", false, detail.append(" not in ").append(window).toString());
    }
    detail.append(" in ").append(window);
    if (days == null) {
      return Explanation.leaf("time", true, detail.toString());
    }
    List<String> names = days.stream().map(TimeLeaf::day).toList();
    boolean onDay = days.contains(started.getDayOfWeek());
    detail
        .append(onDay ? ", started on " : " but started on ")
        .append(day(started.getDayOfWeek()))
        .append(onDay ? ", one of " : ", not one of ")
        .append(String.join(", ", names));
    return Explanation.leaf("time", onDay, detail.toString());
  }

  private static List<DayOfWeek> days(List<String> names) {
    if (names == null) {
      return null;
    }
    List<DayOfWeek> days = new ArrayList<>();
    for (String name : names) {
      DayOfWeek day = ScenarioValidator.dayOfWeek(name);
      if (day == null) {
        throw new IllegalArgumentException("'" + name + "' is not a day");
      }
      days.add(day);
    }
    return days;
  }

  private static String day(DayOfWeek day) {
    return day.getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
  }
}
