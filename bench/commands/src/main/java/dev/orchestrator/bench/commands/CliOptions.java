package dev.orchestrator.bench.commands;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What every bench's options share: {@code --name=value} or {@code --name value} arguments, each
 * also readable from the environment as {@code BENCH_NAME}, typed reads with the option named in
 * every error, and {@code --help}.
 */
public abstract class CliOptions {
  private final Map<String, String> values = new LinkedHashMap<>();

  /** Reads {@code args}; {@code --help} prints {@code usage} and exits. */
  protected final void read(String[] args, String usage) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        System.out.print(usage);
        System.exit(0);
      }
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument: " + a + "\n" + usage);
      }
      String body = a.substring(2);
      int eq = body.indexOf('=');
      if (eq >= 0) {
        values.put(body.substring(0, eq), body.substring(eq + 1));
      } else if (i + 1 < args.length) {
        values.put(body, args[++i]);
      } else {
        throw new IllegalArgumentException("missing value for " + a);
      }
    }
  }

  protected final String str(String name, String dflt) {
    String v = values.get(name);
    if (v == null) {
      v = System.getenv("BENCH_" + name.toUpperCase(Locale.ROOT).replace('-', '_'));
    }
    return v == null || v.isBlank() ? dflt : v.trim();
  }

  protected final int integer(String name, int dflt, int min) {
    String v = str(name, Integer.toString(dflt));
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be an integer, got " + v);
    }
    if (n < min) {
      throw new IllegalArgumentException("--" + name + " must be >= " + min + ", got " + n);
    }
    return n;
  }

  protected final double decimal(String name, double dflt) {
    String v = str(name, Double.toString(dflt));
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a number, got " + v);
    }
  }

  /** "100ms", "1s", "2m" (or a bare number of milliseconds) in milliseconds. */
  protected final long millis(String name, String dflt) {
    String v = str(name, dflt).toLowerCase(Locale.ROOT);
    try {
      if (v.endsWith("ms")) {
        return Long.parseLong(v.substring(0, v.length() - 2));
      }
      if (v.endsWith("s")) {
        return Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000);
      }
      if (v.endsWith("m")) {
        return Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 60_000);
      }
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "--" + name + " must be a duration like 100ms or 1s, got " + v);
    }
  }

  /** Whether the letter {@code p} is among {@code --phases} (default: all of {@code all}). */
  protected final boolean phase(char p, String all) {
    return str("phases", all).toLowerCase(Locale.ROOT).indexOf(p) >= 0;
  }

  /** Milliseconds as a duration the orchestrator reads: "100ms", "1s". */
  public static String ms(long millis) {
    return millis % 1000 == 0 ? (millis / 1000) + "s" : millis + "ms";
  }
}
