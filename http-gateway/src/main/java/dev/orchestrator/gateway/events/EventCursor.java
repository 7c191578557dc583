package dev.orchestrator.gateway.events;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Where a client of the event stream stands: for every journal tag it follows, the journal ordering
 * of the last event it was sent. Sent as the {@code id} of every server-sent event and given back
 * in {@code Last-Event-ID}, so a reconnecting client misses nothing and sees nothing twice. Text
 * form: {@code component-0:41,component-1:40,command-0:39}.
 */
public final class EventCursor {
  static final int MAX_LENGTH = 2048;

  private final Map<String, Long> offsets;

  private EventCursor(Map<String, Long> offsets) {
    this.offsets = offsets;
  }

  /** Every tag at {@code offset}: the events after it. */
  public static EventCursor at(Collection<String> tags, long offset) {
    Map<String, Long> offsets = new TreeMap<>();
    tags.forEach(tag -> offsets.put(tag, offset));
    return new EventCursor(offsets);
  }

  /**
   * Reads a {@code Last-Event-ID}; a tag in {@code tags} that it does not name starts at {@code
   * orElse}. Throws IllegalArgumentException with a reason for anything else.
   */
  public static EventCursor parse(String text, Collection<String> tags, long orElse) {
    if (text.length() > MAX_LENGTH) {
      throw new IllegalArgumentException(
          "Last-Event-ID is longer than " + MAX_LENGTH + " characters");
    }
    Map<String, Long> offsets = new TreeMap<>();
    for (String part : text.split(",", -1)) {
      int colon = part.lastIndexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException(
            "Last-Event-ID must be the id of an event this stream sent (tag:offset,...), not '"
                + text
                + "'");
      }
      String tag = part.substring(0, colon);
      if (!tags.contains(tag)) {
        throw new IllegalArgumentException(
            "Last-Event-ID names '" + tag + "', which this stream does not follow");
      }
      try {
        long offset = Long.parseLong(part.substring(colon + 1));
        if (offset < 0) {
          throw new NumberFormatException();
        }
        offsets.put(tag, offset);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "Last-Event-ID has '" + part + "'; the offset must be a whole number >= 0");
      }
    }
    tags.forEach(tag -> offsets.putIfAbsent(tag, orElse));
    return new EventCursor(offsets);
  }

  public long offset(String tag) {
    return Optional.ofNullable(offsets.get(tag)).orElse(0L);
  }

  public Map<String, Long> offsets() {
    return Map.copyOf(offsets);
  }

  /** This cursor after an event of {@code tag} at {@code offset}. */
  public EventCursor after(String tag, long offset) {
    Map<String, Long> next = new TreeMap<>(offsets);
    next.put(tag, offset);
    return new EventCursor(next);
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder();
    offsets.forEach(
        (tag, offset) -> {
          if (text.length() > 0) {
            text.append(',');
          }
          text.append(tag).append(':').append(offset);
        });
    return text.toString();
  }
}
