package dev.orchestrator.protocol.scenario;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A conservative check that a {@code database} condition's query only reads: one statement that
 * starts with {@code SELECT} or {@code WITH}, no {@code ;} except one at the very end, no comments,
 * and none of the words that write, lock or change settings, wherever they stand (also inside a
 * string literal or as a column name: such a query is refused although it would be harmless). It is
 * a first line only: the evaluator must also run the query in a read-only transaction, as a role
 * that can only read.
 */
public final class ReadOnlyQuery {
  public static final int MAX_LENGTH = 4096;

  /**
   * Words that write, lock or reach outside the database from inside a SELECT or WITH (data
   * modifying CTEs, SELECT INTO, FOR UPDATE/SHARE, functions with side effects), and statement
   * keywords that have no business in a condition.
   */
  static final List<String> FORBIDDEN_WORDS =
      List.of(
          "insert",
          "update",
          "delete",
          "merge",
          "upsert",
          "into",
          "share",
          "lock",
          "drop",
          "alter",
          "create",
          "truncate",
          "grant",
          "revoke",
          "copy",
          "call",
          "execute",
          "prepare",
          "vacuum",
          "pg_sleep",
          "pg_terminate_backend",
          "pg_cancel_backend",
          "pg_reload_conf",
          "pg_advisory_lock",
          "pg_advisory_xact_lock",
          "set_config",
          "dblink",
          "dblink_exec",
          "lo_import",
          "lo_export",
          "lo_unlink",
          "nextval",
          "setval",
          "txid_current",
          "pg_read_file",
          "pg_read_binary_file",
          "pg_ls_dir",
          "query_to_xml",
          "cursor_to_xml",
          "sleep",
          "benchmark",
          "load_file");

  private static final Pattern WORD = Pattern.compile("[a-z_][a-z0-9_]*");
  private static final Pattern START = Pattern.compile("(?is)(select|with)\\b.*");

  private ReadOnlyQuery() {}

  /** Null when the query passes, otherwise why it is refused. */
  public static String problem(String query) {
    if (query == null || query.isBlank()) {
      return "query is required: one SELECT or WITH statement";
    }
    if (query.length() > MAX_LENGTH) {
      return "query is " + query.length() + " characters long; at most " + MAX_LENGTH;
    }
    String q = query.strip();
    if (q.endsWith(";")) {
      q = q.substring(0, q.length() - 1).strip();
    }
    if (!START.matcher(q).matches()) {
      return "query must be one read-only statement starting with SELECT or WITH";
    }
    if (q.indexOf(';') >= 0) {
      return "query must be one statement: ';' is allowed only at its end";
    }
    if (q.contains("--") || q.contains("/*")) {
      return "query must not contain comments";
    }
    Matcher m = WORD.matcher(q.toLowerCase(Locale.ROOT));
    while (m.find()) {
      if (FORBIDDEN_WORDS.contains(m.group())) {
        return "query must only read: '"
            + m.group()
            + "' is not allowed in a condition's query (even in a name or a string)";
      }
    }
    return null;
  }
}
