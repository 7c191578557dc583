package dev.orchestrator.scenario.condition;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.orchestrator.protocol.Durations;
import dev.orchestrator.protocol.scenario.Condition;
import dev.orchestrator.protocol.scenario.Explanation;
import dev.orchestrator.protocol.scenario.ReadOnlyQuery;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * {@code database: {datasource, query, timeout, expect}}: the query runs read-only on the named
 * data source ({@link ReadOnlyRunner}) and its number of rows, or the first column of its first
 * row, is compared as {@code expect} says; "at least one row" without {@code expect}. A query that
 * is refused, fails, runs past its timeout or names an unknown data source makes the leaf false.
 */
final class DatabaseLeaf {
  private static final Condition.Expect AT_LEAST_ONE_ROW =
      new Condition.Expect("rows", "gt", JsonNodeFactory.instance.numberNode(0));

  private final Datasources datasources;
  private final Executor blocking;
  private final int maxRows;

  DatabaseLeaf(Datasources datasources, Executor blocking, int maxRows) {
    this.datasources = datasources;
    this.blocking = blocking;
    this.maxRows = maxRows;
  }

  CompletionStage<Explanation> evaluate(Condition.DatabaseQuery leaf) {
    String name = leaf.datasource() == null ? Datasources.DEFAULT : leaf.datasource();
    String subject = "database " + name;
    // The validator refuses the same queries; checked again for a definition stored before a rule.
    String refused = ReadOnlyQuery.problem(leaf.query());
    if (refused != null) {
      return done(subject + ": query refused: " + refused);
    }
    Duration timeout =
        leaf.timeout() == null ? Condition.DatabaseQuery.DEFAULT_TIMEOUT : leaf.timeout();
    if (timeout.compareTo(Condition.DatabaseQuery.MAX_TIMEOUT) > 0) {
      timeout = Condition.DatabaseQuery.MAX_TIMEOUT;
    }
    Condition.Expect expect = leaf.expect() == null ? AT_LEAST_ONE_ROW : leaf.expect();
    Duration bound = timeout;
    return BlockingRead.run(
        blocking, "database", subject, () -> query(name, leaf.query(), bound, expect));
  }

  /** On the blocking executor: opening a data source's pool may load its driver. */
  private Explanation query(String name, String query, Duration timeout, Condition.Expect expect) {
    String subject = "database " + name;
    DataSource dataSource;
    try {
      dataSource = datasources.get(name);
    } catch (IllegalStateException closed) {
      return leaf(false, subject + ": " + closed.getMessage());
    }
    if (dataSource == null) {
      return leaf(
          false,
          subject
              + ": no datasource named '"
              + name
              + "' is configured (orchestrator.scenarios.datasources)");
    }
    Connection connection;
    try {
      connection = dataSource.getConnection();
    } catch (SQLException e) {
      return leaf(false, subject + ": cannot connect: " + Texts.sqlError(e));
    }
    int limit = "value".equals(expect.of()) ? 1 : maxRows;
    ReadOnlyRunner.Result result;
    try (connection) {
      result = ReadOnlyRunner.run(connection, query, timeout, limit);
    } catch (SQLException e) {
      if (ReadOnlyRunner.QUERY_CANCELED.equals(e.getSQLState())) {
        return leaf(
            false,
            subject + ": no answer within " + Durations.format(timeout) + ", query cancelled");
      }
      return leaf(false, subject + ": query failed: " + Texts.sqlError(e));
    }
    return judge(subject, expect, result, limit);
  }

  static Explanation judge(
      String subject, Condition.Expect expect, ReadOnlyRunner.Result result, int limit) {
    if ("value".equals(expect.of())) {
      if (result.first() == null) {
        return leaf(false, subject + ": no rows, so no value to compare");
      }
      Comparison.Outcome o = Comparison.compare(result.first(), expect.op(), expect.value());
      return leaf(o.value(), subject + ": value " + result.first() + " (" + o.relation() + ")");
    }
    if (!result.more()) {
      Comparison.Outcome o =
          Comparison.compare(
              JsonNodeFactory.instance.numberNode(result.rows()), expect.op(), expect.value());
      return leaf(o.value(), subject + ": " + rows(result.rows()) + " (" + o.relation() + ")");
    }
    // More than the limit: only "more than limit" is known, which decides the comparison when
    // the number compared with is within the limit (then the count is surely above it).
    String read = subject + ": more than " + rows(limit);
    if (expect.value() == null || !expect.value().canConvertToLong()) {
      return leaf(
          false, read + ", and rows are compared with a whole number, not " + expect.value());
    }
    long wanted = expect.value().asLong();
    if (wanted > limit) {
      return leaf(
          false,
          read
              + ", too many to compare with "
              + wanted
              + "; count in the query instead (SELECT count(*) ...)");
    }
    String op = expect.op() == null ? "eq" : expect.op();
    boolean value = List.of("gt", "ge", "ne").contains(op);
    String relation = Comparison.symbol(op) + " " + wanted;
    return leaf(value, read + " (" + (value ? relation : "not " + relation) + ")");
  }

  private static String rows(long n) {
    return n == 1 ? "1 row" : n + " rows";
  }

  private static Explanation leaf(boolean value, String detail) {
    return Explanation.leaf("database", value, detail);
  }

  private static CompletionStage<Explanation> done(String detail) {
    return CompletableFuture.completedFuture(leaf(false, detail));
  }
}
