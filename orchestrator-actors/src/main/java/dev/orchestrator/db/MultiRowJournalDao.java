package dev.orchestrator.db;

import akka.persistence.jdbc.config.EventJournalTableColumnNames;
import akka.persistence.jdbc.config.EventTagTableColumnNames;
import akka.persistence.jdbc.config.JournalConfig;
import akka.persistence.jdbc.journal.dao.DefaultJournalDao;
import akka.persistence.jdbc.journal.dao.JournalTables.JournalAkkaSerializationRow;
import akka.serialization.Serialization;
import akka.stream.Materializer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import scala.Option;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;
import slick.dbio.DBIOAction;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;
import slick.jdbc.SimpleJdbcAction;

/**
 * akka-persistence-jdbc's journal with each batch written in two statements: one multi-row {@code
 * INSERT ... RETURNING} for the events and one multi-row insert for their tags, in one transaction.
 * The plugin's own DAO (5.2.1) inserts a batch's events one statement at a time (Slick does not
 * batch inserts that return generated keys), so a batch of fifty events from fifty entities costs
 * fifty round trips to PostgreSQL before its commit, and every entity in it waits for all of them.
 * Same tables, same columns, same order of {@code ordering} within a persistence id, same
 * all-or-nothing batch (a key violation of a stale writer fails the whole batch, as before); reads,
 * deletes and everything else are the plugin's. Set as {@code jdbc-journal.dao}; the plugin creates
 * it by reflection with this constructor.
 */
public final class MultiRowJournalDao extends DefaultJournalDao {
  /** Rows per statement: 13 parameters each, well under PostgreSQL's 32,767 per statement. */
  static final int MAX_ROWS_PER_STATEMENT = 1000;

  private final String eventsInsert;
  private final String eventValues;
  private final String eventsReturning;
  private final String tagsInsert;

  public MultiRowJournalDao(
      JdbcBackend.DatabaseDef db,
      JdbcProfile profile,
      JournalConfig journalConfig,
      Serialization serialization,
      ExecutionContext ec,
      Materializer mat) {
    super(db, profile, journalConfig, serialization, ec, mat);
    var journal = journalConfig.eventJournalTableConfiguration();
    EventJournalTableColumnNames c = journal.columnNames();
    this.eventsInsert =
        "INSERT INTO "
            + table(journal.schemaName(), journal.tableName())
            + " ("
            + String.join(
                ", ",
                quoted(c.deleted()),
                quoted(c.persistenceId()),
                quoted(c.sequenceNumber()),
                quoted(c.writer()),
                quoted(c.writeTimestamp()),
                quoted(c.adapterManifest()),
                quoted(c.eventPayload()),
                quoted(c.eventSerId()),
                quoted(c.eventSerManifest()),
                quoted(c.metaPayload()),
                quoted(c.metaSerId()),
                quoted(c.metaSerManifest()))
            + ") VALUES ";
    this.eventValues = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    this.eventsReturning =
        " RETURNING "
            + quoted(c.persistenceId())
            + ", "
            + quoted(c.sequenceNumber())
            + ", "
            + quoted(c.ordering());
    var tags = journalConfig.eventTagTableConfiguration();
    EventTagTableColumnNames t = tags.columnNames();
    this.tagsInsert =
        "INSERT INTO "
            + table(tags.schemaName(), tags.tableName())
            + " ("
            + quoted(t.eventId())
            + ", "
            + quoted(t.tag())
            + ") VALUES ";
  }

  @Override
  public Future<BoxedUnit> writeJournalRows(
      Seq<Tuple2<JournalAkkaSerializationRow, Set<String>>> batch) {
    List<Tuple2<JournalAkkaSerializationRow, Set<String>>> rows =
        new ArrayList<>(CollectionConverters.asJava(batch));
    // As the plugin's DAO: by sequence number (stable), so a persistence id's rows get ascending
    // orderings.
    rows.sort(Comparator.comparingLong(row -> row._1().sequenceNumber()));
    SimpleJdbcAction<BoxedUnit> write =
        new SimpleJdbcAction<>(
            context -> {
              try {
                inTransaction(context.connection(), rows);
              } catch (SQLException e) {
                throw new JournalWriteException(e);
              }
              return BoxedUnit.UNIT;
            });
    @SuppressWarnings({"unchecked", "rawtypes"})
    Future<BoxedUnit> done = db().run((DBIOAction) write);
    return done;
  }

  private void inTransaction(
      Connection connection, List<Tuple2<JournalAkkaSerializationRow, Set<String>>> rows)
      throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      for (int from = 0; from < rows.size(); from += MAX_ROWS_PER_STATEMENT) {
        write(connection, rows.subList(from, Math.min(rows.size(), from + MAX_ROWS_PER_STATEMENT)));
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  private void write(
      Connection connection, List<Tuple2<JournalAkkaSerializationRow, Set<String>>> rows)
      throws SQLException {
    Map<String, Long> orderings = new HashMap<>();
    try (PreparedStatement insert =
        connection.prepareStatement(
            eventsInsert
                + String.join(", ", Collections.nCopies(rows.size(), eventValues))
                + eventsReturning)) {
      int p = 1;
      for (Tuple2<JournalAkkaSerializationRow, Set<String>> entry : rows) {
        JournalAkkaSerializationRow row = entry._1();
        insert.setBoolean(p++, row.deleted());
        insert.setString(p++, row.persistenceId());
        insert.setLong(p++, row.sequenceNumber());
        insert.setString(p++, row.writer());
        insert.setLong(p++, row.writeTimestamp());
        insert.setString(p++, row.adapterManifest());
        insert.setBytes(p++, row.eventPayload());
        insert.setInt(p++, row.eventSerId());
        insert.setString(p++, row.eventSerManifest());
        setOptional(insert, p++, row.metaPayload(), Types.BINARY);
        setOptional(insert, p++, row.metaSerId(), Types.INTEGER);
        setOptional(insert, p++, row.metaSerManifest(), Types.VARCHAR);
      }
      // PostgreSQL does not promise RETURNING in VALUES order: each row is matched by its key.
      try (ResultSet returned = insert.executeQuery()) {
        while (returned.next()) {
          orderings.put(key(returned.getString(1), returned.getLong(2)), returned.getLong(3));
        }
      }
    }
    List<TagRow> tags = new ArrayList<>();
    for (Tuple2<JournalAkkaSerializationRow, Set<String>> entry : rows) {
      JournalAkkaSerializationRow row = entry._1();
      Long ordering = orderings.get(key(row.persistenceId(), row.sequenceNumber()));
      if (ordering == null) {
        throw new SQLException(
            "the journal did not return the ordering of "
                + row.persistenceId()
                + " #"
                + row.sequenceNumber());
      }
      for (String tag : CollectionConverters.asJava(entry._2())) {
        tags.add(new TagRow(ordering, tag));
      }
    }
    if (!tags.isEmpty()) {
      try (PreparedStatement insert =
          connection.prepareStatement(
              tagsInsert + String.join(", ", Collections.nCopies(tags.size(), "(?, ?)")))) {
        int p = 1;
        for (TagRow tag : tags) {
          insert.setLong(p++, tag.eventId());
          insert.setString(p++, tag.tag());
        }
        insert.executeUpdate();
      }
    }
  }

  private static void setOptional(PreparedStatement statement, int index, Option<?> value, int type)
      throws SQLException {
    if (value.isEmpty()) {
      statement.setNull(index, type);
    } else if (value.get() instanceof byte[] bytes) {
      statement.setBytes(index, bytes);
    } else if (value.get() instanceof Integer number) {
      statement.setInt(index, number);
    } else {
      statement.setString(index, value.get().toString());
    }
  }

  private static String key(String persistenceId, long sequenceNumber) {
    return sequenceNumber + "|" + persistenceId;
  }

  private static String table(Option<String> schema, String name) {
    return schema.isDefined() ? quoted(schema.get()) + "." + quoted(name) : quoted(name);
  }

  private static String quoted(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  private record TagRow(long eventId, String tag) {}

  /** A failed batch write, carrying the database's reason. */
  static final class JournalWriteException extends RuntimeException {
    JournalWriteException(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
