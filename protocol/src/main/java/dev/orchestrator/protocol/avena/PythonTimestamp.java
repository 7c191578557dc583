package dev.orchestrator.protocol.avena;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import java.io.IOException;
import java.time.DateTimeException;
import java.time.LocalDateTime;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's {@code str(datetime)} without a zone, as avena puts it in {@code timestamp}: {@code
 * "2026-11-22 05:00:00.123456"}, and {@code "2026-11-22 05:00:00"} when the microsecond is 0.
 * Parsing also takes the {@code T} of {@code isoformat()} and 1 to 6 fraction digits; a zone offset
 * is refused, since avena datetimes are naive.
 */
public final class PythonTimestamp {
  private static final Pattern FORMAT =
      Pattern.compile("(\\d{4})-(\\d{2})-(\\d{2})[ T](\\d{2}):(\\d{2}):(\\d{2})(?:\\.(\\d{1,6}))?");
  static final String EXAMPLE = "2026-11-22 05:00:00.123456";

  private PythonTimestamp() {}

  /** As Python prints it; below a microsecond is cut off. */
  public static String format(LocalDateTime time) {
    int micros = time.getNano() / 1000;
    String text =
        String.format(
            "%04d-%02d-%02d %02d:%02d:%02d",
            time.getYear(),
            time.getMonthValue(),
            time.getDayOfMonth(),
            time.getHour(),
            time.getMinute(),
            time.getSecond());
    return micros == 0 ? text : text + String.format(".%06d", micros);
  }

  /**
   * Reads a Python datetime.
   *
   * @throws IllegalArgumentException naming the text and the expected form
   */
  public static LocalDateTime parse(String text) {
    if (text == null) {
      throw new IllegalArgumentException("a timestamp is required, such as '" + EXAMPLE + "'");
    }
    Matcher m = FORMAT.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "'" + shorten(text) + "' is not a Python datetime such as '" + EXAMPLE + "'");
    }
    int nanos = 0;
    if (m.group(7) != null) {
      String fraction = (m.group(7) + "00000").substring(0, 6);
      nanos = Integer.parseInt(fraction) * 1000;
    }
    try {
      return LocalDateTime.of(
          Integer.parseInt(m.group(1)),
          Integer.parseInt(m.group(2)),
          Integer.parseInt(m.group(3)),
          Integer.parseInt(m.group(4)),
          Integer.parseInt(m.group(5)),
          Integer.parseInt(m.group(6)),
          nanos);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a valid date and time: " + e.getMessage(), e);
    }
  }

  private static String shorten(String text) {
    return text.length() > 64 ? text.substring(0, 64) + "…" : text;
  }

  /** Writes {@link #format}. */
  public static final class Serializer extends JsonSerializer<LocalDateTime> {
    @Override
    public void serialize(LocalDateTime value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(format(value));
    }
  }

  /** Reads {@link #parse}; anything but a string is a wrong type. */
  public static final class Deserializer extends JsonDeserializer<LocalDateTime> {
    @Override
    public LocalDateTime deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return (LocalDateTime)
            ctxt.handleUnexpectedToken(
                LocalDateTime.class,
                p.currentToken(),
                p,
                "timestamp must be a string such as '%s'",
                EXAMPLE);
      }
      String text = p.getText();
      try {
        return parse(text);
      } catch (IllegalArgumentException e) {
        return (LocalDateTime)
            ctxt.handleWeirdStringValue(LocalDateTime.class, text, "%s", e.getMessage());
      }
    }
  }
}
