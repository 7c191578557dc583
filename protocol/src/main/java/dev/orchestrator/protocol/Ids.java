package dev.orchestrator.protocol;

import java.util.regex.Pattern;

/** The one rule for names chosen by users: component ids, group names, token names. */
public final class Ids {
  public static final int MAX_LENGTH = 64;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");

  private Ids() {}

  /**
   * Returns null when the id is acceptable, otherwise a sentence that says what is wrong with it.
   */
  public static String problem(String what, String id) {
    if (id == null || id.isEmpty()) {
      return what + " must not be empty";
    }
    if (id.length() > MAX_LENGTH) {
      return what + " is " + id.length() + " characters long; at most " + MAX_LENGTH + " allowed";
    }
    if (!ID.matcher(id).matches()) {
      return what
          + " '"
          + id
          + "' may contain only letters, digits, '_', '.' and '-', and must start with a letter or"
          + " digit";
    }
    return null;
  }
}
