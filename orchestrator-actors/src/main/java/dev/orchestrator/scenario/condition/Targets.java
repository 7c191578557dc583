package dev.orchestrator.scenario.condition;

import dev.orchestrator.protocol.scenario.Explanation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The components a {@code component} or {@code health} condition names (an id, {@code group:name}
 * or {@code @all}), and the explanation of a judgement over all of them: true when every one
 * passes, false when one does not or none is named.
 */
final class Targets {
  /** Components listed in a detail at most; the rest are counted. */
  static final int LISTED = 10;

  private static final String GROUP = "group:";
  private static final String ALL = "@all";

  private Targets() {}

  /** What one component showed: whether it passes and how it reads ({@code "ups: FAULT"}). */
  record Judged(String id, boolean passes, String text) {}

  /**
   * A statement for {@code SELECT <columns> FROM components WHERE <target> ORDER BY id}, with the
   * target bound.
   */
  static PreparedStatement select(Connection connection, String columns, String target)
      throws SQLException {
    String where;
    String bound = null;
    if (ALL.equals(target)) {
      where = "true";
    } else if (target.startsWith(GROUP)) {
      where = "? = ANY(groups)";
      bound = target.substring(GROUP.length());
    } else {
      where = "id = ?";
      bound = target;
    }
    PreparedStatement statement =
        connection.prepareStatement(
            "SELECT " + columns + " FROM components WHERE " + where + " ORDER BY id");
    if (bound != null) {
      statement.setString(1, bound);
    }
    return statement;
  }

  /**
   * The leaf's explanation: a single component by id reads as its own text; several read as a
   * count, then those that do not pass, then those that do, {@value #LISTED} at most.
   */
  static Explanation explain(String condition, String target, List<Judged> judged) {
    if (judged.isEmpty()) {
      return Explanation.leaf(condition, false, target + ": " + nothingNamed(target));
    }
    boolean value = judged.stream().allMatch(Judged::passes);
    if (judged.size() == 1 && !isSet(target)) {
      return Explanation.leaf(condition, value, judged.get(0).text());
    }
    List<Judged> ordered = new ArrayList<>(judged);
    ordered.sort(Comparator.comparing(Judged::passes).thenComparing(Judged::id));
    long passing = judged.stream().filter(Judged::passes).count();
    StringBuilder detail =
        new StringBuilder(target)
            .append(": ")
            .append(passing)
            .append(" of ")
            .append(judged.size())
            .append(judged.size() == 1 ? " component" : " components")
            .append(" as required");
    for (Judged j : ordered.subList(0, Math.min(LISTED, ordered.size()))) {
      detail.append("; ").append(j.text());
    }
    if (ordered.size() > LISTED) {
      detail.append("; and ").append(ordered.size() - LISTED).append(" more");
    }
    return Explanation.leaf(condition, value, detail.toString());
  }

  private static boolean isSet(String target) {
    return ALL.equals(target) || target.startsWith(GROUP);
  }

  private static String nothingNamed(String target) {
    if (ALL.equals(target)) {
      return "no component is registered";
    }
    if (target.startsWith(GROUP)) {
      return "no component is in group " + target.substring(GROUP.length());
    }
    return "no such component";
  }
}
