package dev.orchestrator.db;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.Config;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Keeps PostgreSQL's planner statistics of the busiest tables (the journal, its tags, the read
 * sides) up to date while they are young and grow fast, by running {@code ANALYZE} on a table once
 * a good part of its rows changed since its last statistics.
 *
 * <p>PostgreSQL's autovacuum does the same, but looks only every {@code autovacuum_naptime} (1 min
 * by default): a fresh database has no statistics for its first minute or more, and with none the
 * planner takes {@code eventsByTag}'s join of the journal and its tags for a join of a row or two
 * and joins every event of a range with every row of the tag, 60-440 ms per poll of each projection
 * where it takes under 1 ms with statistics (docs/decisions.md, "Planner statistics of a young
 * journal"). Each check is one read of {@code pg_stat_user_tables}; the analyzing is skipped on a
 * node while another node's is under way (an advisory lock). With the default {@code
 * changed-fraction} of one half a growing table is analyzed each time it doubles; once the tables
 * are large that is rare, and autovacuum keeps them.
 */
public final class TableStatistics {
  private static final Pattern TABLE_NAME = Pattern.compile("[a-z_][a-z0-9_]*");

  /** The advisory lock key (transaction level) held while a node analyzes. */
  static final long LOCK_KEY = 0x6f72636853746174L;

  /**
   * @param interval how often the statistics' age is checked
   * @param tables the tables kept (unquoted lower-case names, in the connection's schema)
   * @param minChanges fewer changed rows than this never make statistics stale
   * @param changedFraction statistics are stale once this share of the live rows changed
   */
  public record Settings(
      Duration interval, List<String> tables, long minChanges, double changedFraction) {
    public Settings {
      for (String table : tables) {
        if (!TABLE_NAME.matcher(table).matches()) {
          throw new IllegalArgumentException(
              "orchestrator.db.statistics.tables: '"
                  + table
                  + "' is not a plain table name (lower-case letters, digits, _)");
        }
      }
      if (minChanges < 1 || changedFraction <= 0) {
        throw new IllegalArgumentException(
            "orchestrator.db.statistics: min-changes must be at least 1 and changed-fraction"
                + " above 0");
      }
      tables = List.copyOf(tables);
    }

    public static Settings of(Config config) {
      Config c = config.getConfig("orchestrator.db.statistics");
      return new Settings(
          c.getDuration("interval"),
          c.getStringList("tables"),
          c.getLong("min-changes"),
          c.getDouble("changed-fraction"));
    }
  }

  /** What pg_stat_user_tables says of a table. */
  record TableState(String table, long liveRows, long changedSinceAnalyze) {}

  /** What the actor handles (its own timer and check results only). */
  public sealed interface Message {}

  private enum Tick implements Message {
    INSTANCE
  }

  private record Done(List<String> analyzed, Throwable failure) implements Message {}

  /** The listed tables this role cannot analyze (absent, or owned by another role). */
  private record Unkept(List<String> tables, Throwable failure) implements Message {}

  private TableStatistics() {}

  /** The tables whose statistics are stale: enough of their rows changed since they were made. */
  static List<String> stale(List<TableState> tables, long minChanges, double changedFraction) {
    List<String> stale = new ArrayList<>();
    for (TableState t : tables) {
      if (t.changedSinceAnalyze() >= minChanges
          && t.changedSinceAnalyze() >= changedFraction * t.liveRows()) {
        stale.add(t.table());
      }
    }
    return stale;
  }

  public static Behavior<Message> create(
      Settings settings, DataSource dataSource, Executor blocking) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval());
                  context.pipeToSelf(unkept(dataSource, blocking, settings.tables()), Unkept::new);
                  return idle(context, settings, dataSource, blocking);
                }));
  }

  private static Behavior<Message> idle(
      ActorContext<Message> context, Settings settings, DataSource dataSource, Executor blocking) {
    return Behaviors.receive(Message.class)
        .onMessageEquals(
            Tick.INSTANCE,
            () -> {
              context.pipeToSelf(
                  analyzeStale(dataSource, blocking, settings.tables(), settings), Done::new);
              return busy(context, settings, dataSource, blocking);
            })
        .onMessage(Done.class, done -> Behaviors.same())
        .onMessage(Unkept.class, unkept -> logUnkept(context, unkept))
        .build();
  }

  /** A check is under way: ticks meanwhile are dropped. */
  private static Behavior<Message> busy(
      ActorContext<Message> context, Settings settings, DataSource dataSource, Executor blocking) {
    return Behaviors.receive(Message.class)
        .onMessageEquals(Tick.INSTANCE, Behaviors::same)
        .onMessage(
            Done.class,
            done -> {
              if (done.failure() != null) {
                context
                    .getLog()
                    .warn("Cannot refresh the planner statistics: {}", rootMessage(done.failure()));
              } else if (!done.analyzed().isEmpty()) {
                context.getLog().debug("Refreshed the planner statistics of {}", done.analyzed());
              }
              return idle(context, settings, dataSource, blocking);
            })
        .onMessage(Unkept.class, unkept -> logUnkept(context, unkept))
        .build();
  }

  private static Behavior<Message> logUnkept(ActorContext<Message> context, Unkept unkept) {
    if (unkept.failure() == null && !unkept.tables().isEmpty()) {
      context
          .getLog()
          .info(
              "Leaving the planner statistics of {} to autovacuum: not tables this role owns",
              unkept.tables());
    }
    return Behaviors.same();
  }

  /** Those of {@code tables} that are absent or that this role may not analyze. */
  static CompletionStage<List<String>> unkept(
      DataSource dataSource, Executor blocking, List<String> tables) {
    return onBlocking(
        blocking,
        () -> {
          try (Connection c = dataSource.getConnection()) {
            List<String> kept = states(c, tables).stream().map(TableState::table).toList();
            return tables.stream().filter(t -> !kept.contains(t)).toList();
          }
        });
  }

  /** Analyzes the stale ones of {@code tables}; the ones analyzed (none if another node is). */
  static CompletionStage<List<String>> analyzeStale(
      DataSource dataSource, Executor blocking, List<String> tables, Settings settings) {
    return onBlocking(blocking, () -> analyzeStale(dataSource, tables, settings));
  }

  private interface SqlWork<T> {
    T run() throws SQLException;
  }

  private static <T> CompletionStage<T> onBlocking(Executor blocking, SqlWork<T> work) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return work.run();
          } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
          }
        },
        blocking);
  }

  private static List<String> analyzeStale(
      DataSource dataSource, List<String> tables, Settings settings) throws SQLException {
    if (tables.isEmpty()) {
      return List.of();
    }
    try (Connection c = dataSource.getConnection()) {
      List<String> stale =
          stale(states(c, tables), settings.minChanges(), settings.changedFraction());
      if (stale.isEmpty()) {
        return List.of();
      }
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        List<String> analyzed = new ArrayList<>();
        try (ResultSet rs = s.executeQuery("SELECT pg_try_advisory_xact_lock(" + LOCK_KEY + ")")) {
          rs.next();
          if (rs.getBoolean(1)) {
            for (String table : stale) {
              s.execute("ANALYZE " + table);
              analyzed.add(table);
            }
          }
        }
        c.commit();
        return analyzed;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    }
  }

  static List<TableState> states(Connection c, List<String> tables) throws SQLException {
    List<TableState> states = new ArrayList<>();
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT s.relname, s.n_live_tup, s.n_mod_since_analyze"
                + " FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid"
                + " WHERE s.schemaname = current_schema() AND s.relname = ANY (?)"
                // ANALYZE is for the table's owner (else PostgreSQL skips it with a warning).
                + " AND pg_has_role(c.relowner, 'MEMBER')")) {
      Array names = c.createArrayOf("text", tables.toArray());
      ps.setArray(1, names);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          states.add(new TableState(rs.getString(1), rs.getLong(2), rs.getLong(3)));
        }
      }
    }
    return states;
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage();
  }
}
