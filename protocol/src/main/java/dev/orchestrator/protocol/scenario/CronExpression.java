package dev.orchestrator.protocol.scenario;

import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A cron expression in the classic (Vixie) flavour: five fields {@code minute hour day-of-month
 * month day-of-week}, or six with {@code second} first. A field is {@code *}, a number, a range
 * {@code a-b}, a step {@code * /n}, {@code a/n} or {@code a-b/n} (without the space), or a comma
 * list of those; months may be {@code JAN}-{@code DEC}, days {@code SUN}-{@code SAT}, day-of-week 0
 * and 7 are Sunday, and {@code ?} means {@code *} in the two day fields. When both day fields are
 * restricted, a day matches either (as cron does). The macros {@code @yearly}, {@code @annually},
 * {@code @monthly}, {@code @weekly}, {@code @daily}, {@code @midnight} and {@code @hourly} stand
 * for their five-field forms. Quartz's {@code L}, {@code W} and {@code #} are not supported.
 */
public final class CronExpression {
  private static final Map<String, String> MACROS =
      Map.of(
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *",
          "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@hourly", "0 * * * *");
  private static final List<String> MONTHS =
      List.of("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC");
  private static final List<String> DAYS = List.of("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT");

  private final String text;
  private final BitSet seconds;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  private final boolean domRestricted;
  private final boolean dowRestricted;

  private CronExpression(String text, String[] f) {
    this.text = text;
    int o = f.length == 6 ? 1 : 0;
    seconds = o == 1 ? field("second", f[0], 0, 59, null) : single(0);
    minutes = field("minute", f[o], 0, 59, null);
    hours = field("hour", f[o + 1], 0, 23, null);
    daysOfMonth = field("day-of-month", f[o + 2], 1, 31, null);
    months = field("month", f[o + 3], 1, 12, MONTHS);
    daysOfWeek = field("day-of-week", f[o + 4], 0, 7, DAYS);
    if (daysOfWeek.get(7)) {
      daysOfWeek.set(0);
    }
    domRestricted = !isWildcard(f[o + 2]);
    dowRestricted = !isWildcard(f[o + 4]);
  }

  /** Parses {@code text} or throws {@link IllegalArgumentException} saying what is wrong. */
  public static CronExpression parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("cron is required, such as '0 3 * * *' (03:00 daily)");
    }
    String t = text.strip();
    String expanded = t.startsWith("@") ? MACROS.get(t.toLowerCase(Locale.ROOT)) : t;
    if (expanded == null) {
      throw new IllegalArgumentException(
          "unknown cron macro '" + t + "'; use one of " + String.join(", ", MACROS.keySet()));
    }
    String[] fields = expanded.split("\\s+");
    if (fields.length != 5 && fields.length != 6) {
      throw new IllegalArgumentException(
          "cron '"
              + t
              + "' has "
              + fields.length
              + " fields; write 5 (minute hour day-of-month month day-of-week) or 6 (second"
              + " first)");
    }
    CronExpression cron = new CronExpression(t, fields);
    if (cron.next(ZonedDateTime.parse("2000-01-01T00:00:00Z")) == null) {
      throw new IllegalArgumentException("cron '" + t + "' never fires (no such date)");
    }
    return cron;
  }

  /** The first time strictly after {@code after} that matches, or null if none within 5 years. */
  public ZonedDateTime next(ZonedDateTime after) {
    ZonedDateTime t = after.truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    ZonedDateTime limit = after.plusYears(5);
    while (t.isBefore(limit)) {
      if (!months.get(t.getMonthValue())) {
        t = t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).plusMonths(1);
      } else if (!dayMatches(t)) {
        t = t.truncatedTo(ChronoUnit.DAYS).plusDays(1);
      } else if (!hours.get(t.getHour())) {
        t = t.truncatedTo(ChronoUnit.HOURS).plusHours(1);
      } else if (!minutes.get(t.getMinute())) {
        t = t.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
      } else if (!seconds.get(t.getSecond())) {
        t = t.plusSeconds(1);
      } else {
        return t;
      }
    }
    return null;
  }

  private boolean dayMatches(ZonedDateTime t) {
    boolean dom = daysOfMonth.get(t.getDayOfMonth());
    boolean dow = daysOfWeek.get(t.getDayOfWeek().getValue() % 7);
    if (domRestricted && dowRestricted) {
      return dom || dow;
    }
    return dom && dow;
  }

  @Override
  public String toString() {
    return text;
  }

  private static boolean isWildcard(String field) {
    return field.equals("*") || field.equals("?");
  }

  private static BitSet single(int value) {
    BitSet bits = new BitSet();
    bits.set(value);
    return bits;
  }

  private static BitSet field(String name, String field, int min, int max, List<String> names) {
    BitSet bits = new BitSet();
    if (field.equals("?") && !name.startsWith("day")) {
      throw new IllegalArgumentException("'?' is allowed only in the day fields, not in " + name);
    }
    for (String part : field.split(",", -1)) {
      String range = part;
      int step = 1;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        range = part.substring(0, slash);
        step = number(name + " step", part.substring(slash + 1), 1, max - min + 1, null);
      }
      int from;
      int to;
      if (range.equals("*") || range.equals("?")) {
        from = min;
        to = max;
      } else if (range.indexOf('-') > 0) {
        int dash = range.indexOf('-');
        from = number(name, range.substring(0, dash), min, max, names);
        to = number(name, range.substring(dash + 1), min, max, names);
        if (from > to) {
          throw new IllegalArgumentException(
              name + " range '" + range + "' runs backwards; write the smaller value first");
        }
      } else {
        from = number(name, range, min, max, names);
        to = slash >= 0 ? max : from;
      }
      for (int v = from; v <= to; v += step) {
        bits.set(v);
      }
    }
    return bits;
  }

  private static int number(String name, String text, int min, int max, List<String> names) {
    if (names != null) {
      int i = names.indexOf(text.toUpperCase(Locale.ROOT));
      if (i >= 0) {
        return names == MONTHS ? i + 1 : i;
      }
    }
    if (text.isEmpty() || text.length() > 4 || !text.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a valid " + name + " (" + min + "-" + max + ")");
    }
    int v = Integer.parseInt(text);
    if (v < min || v > max) {
      throw new IllegalArgumentException(
          name + " " + v + " is out of range; allowed " + min + "-" + max);
    }
    return v;
  }
}
