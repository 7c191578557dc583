package dev.orchestrator.protocol.scenario;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Placeholders in scenario texts: {@code {{ trigger.source }}}, {@code {{ trigger.data.<name> }}},
 * {@code {{ scenario.name }}}, {@code {{ run.id }}} and {@code {{ failure.message }}}. A
 * placeholder is a path to look up, nothing else: no expressions, filters or calls, and what a
 * lookup returns is inserted as text and never read for placeholders again.
 */
public final class Template {
  /** The allowed paths, as error messages list them. */
  public static final List<String> PATHS =
      List.of(
          "trigger.source", "trigger.data.<name>", "scenario.name", "run.id", "failure.message");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(.*?)}}", Pattern.DOTALL);
  private static final Pattern PATH =
      Pattern.compile(
          "trigger\\.source|scenario\\.name|run\\.id|failure\\.message"
              + "|trigger\\.data(\\.[A-Za-z_][A-Za-z0-9_-]*)+");

  private Template() {}

  /** The paths of the placeholders in {@code text}, trimmed, in order, valid or not. */
  public static List<String> placeholders(String text) {
    List<String> paths = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      paths.add(m.group(1).trim());
    }
    return paths;
  }

  /** Whether {@code path} (without braces) is one the engine can look up. */
  public static boolean isAllowed(String path) {
    return PATH.matcher(path).matches();
  }

  /** Everything wrong with the placeholders of {@code text}; empty when it can be rendered. */
  public static List<String> problems(String text) {
    List<String> problems = new ArrayList<>();
    if (text == null) {
      return problems;
    }
    Matcher m = PLACEHOLDER.matcher(text);
    int end = 0;
    while (m.find()) {
      String path = m.group(1).trim();
      if (!isAllowed(path)) {
        problems.add(
            "'{{ "
                + abbreviate(path)
                + " }}' is not a template placeholder; a placeholder is a path, one of "
                + String.join(", ", PATHS));
      }
      end = m.end();
    }
    if (text.indexOf("{{", end) >= 0) {
      problems.add("'{{' at character " + (text.indexOf("{{", end) + 1) + " is never closed");
    }
    return problems;
  }

  /**
   * Replaces each placeholder with {@code lookup.apply(path)} (empty when it returns null), in one
   * pass: text that a lookup returns stays text, even if it looks like a placeholder.
   */
  public static String render(String text, Function<String, String> lookup) {
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder(text.length());
    while (m.find()) {
      String value = lookup.apply(m.group(1).trim());
      m.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
