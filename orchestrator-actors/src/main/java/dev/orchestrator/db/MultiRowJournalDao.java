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
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
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
 * akka-persistence-jdbc's journal with each batch written in one statement: a multi-row {@code
 * INSERT ... RETURNING} of the events inside a {@code WITH}, and the insert of their tags joined to
 * what it returned. The plugin's own DAO (5.2.1) inserts a batch's events one statement at a time
 * (Slick does not batch inserts that return generated keys), then the tags, then commits: a batch
 * of fifty events from fifty entities cost fifty-odd round trips to PostgreSQL, and a single event
 * three, while every entity in the batch waits. Same tables, same columns, same order of {@code
 * ordering} within a persistence id, same all-or-nothing batch (one statement is atomic; a batch
 * too large for one statement is written in a transaction; a key violation of a stale writer fails
 * the whole batch, as before); reads, deletes and everything else are the plugin's. Set as {@code
 * jdbc-journal.dao}; the plugin creates it by reflection with this constructor.
 */
public final class MultiRowJournalDao extends DefaultJournalDao {
  /**
   * Parameters per statement (12 an event, 3 a tag), under PostgreSQL's limit of 32,767: a batch
   * with more is split into statements in one transaction.
   */
  static final int MAX_PARAMETERS = 30_000;

  private static final String EVENT_VALUES = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
  private static final String TAG_VALUES =
      "(CAST(? AS VARCHAR), CAST(? AS BIGINT), CAST(? AS VARCHAR))";

  private final String eventsInsert;
  private final String eventsReturning;
  private final String tagsInsert;
  private final String tagsJoin;

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
            + ") SELECT e."
            + quoted(c.ordering())
            + ", t.tag FROM e JOIN (VALUES ";
    this.tagsJoin =
        ") AS t (persistence_id, sequence_number, tag) ON t.persistence_id = e."
            + quoted(c.persistenceId())
            + " AND t.sequence_number = e."
            + quoted(c.sequenceNumber());
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
                Connection connection = context.connection();
                List<List<Tuple2<JournalAkkaSerializationRow, Set<String>>>> statements =
                    split(rows);
                if (statements.size() == 1 && connection.getAutoCommit()) {
                  write(connection, rows);
                } else {
                  inTransaction(connection, statements);
                }
              } catch (SQLException e) {
                throw new JournalWriteException(e);
              }
              return BoxedUnit.UNIT;
            });
    @SuppressWarnings({"unchecked", "rawtypes"})
    Future<BoxedUnit> done = db().run((DBIOAction) write);
    return done;
  }

  /** {@code rows} in order, in statements of at most {@link #MAX_PARAMETERS} parameters. */
  static List<List<Tuple2<JournalAkkaSerializationRow, Set<String>>>> split(
      List<Tuple2<JournalAkkaSerializationRow, Set<String>>> rows) {
    List<List<Tuple2<JournalAkkaSerializationRow, Set<String>>>> statements = new ArrayList<>();
    List<Tuple2<JournalAkkaSerializationRow, Set<String>>> current = new ArrayList<>();
    int parameters = 0;
    for (Tuple2<JournalAkkaSerializationRow, Set<String>> row : rows) {
      int needed = 12 + 3 * row._2().size();
      if (!current.isEmpty() && parameters + needed > MAX_PARAMETERS) {
        statements.add(current);
        current = new ArrayList<>();
        parameters = 0;
      }
      current.add(row);
      parameters += needed;
    }
    statements.add(current);
    return statements;
  }

  private void inTransaction(
      Connection connection,
      List<List<Tuple2<JournalAkkaSerializationRow, Set<String>>>> statements)
      throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try {
      for (List<Tuple2<JournalAkkaSerializationRow, Set<String>>> rows : statements) {
        write(connection, rows);
      }
      connection.commit();
    } catch (SQLException | RuntimeException e) {
      connection.rollback();
      throw e;
    } finally {
      connection.setAutoCommit(autoCommit);
    }
  }

  /**
   * One statement: the events' insert in a {@code WITH}, and the tags joined to what it returned by
   * (persistence id, sequence number), since PostgreSQL does not promise {@code RETURNING} in
   * {@code VALUES} order. One round trip, atomic by itself.
   */
  private void write(
      Connection connection, List<Tuple2<JournalAkkaSerializationRow, Set<String>>> rows)
      throws SQLException {
    List<TagRow> tags = new ArrayList<>();
    for (Tuple2<JournalAkkaSerializationRow, Set<String>> entry : rows) {
      for (String tag : CollectionConverters.asJava(entry._2())) {
        tags.add(new TagRow(entry._1().persistenceId(), entry._1().sequenceNumber(), tag));
      }
    }
    String events =
        eventsInsert + String.join(", ", Collections.nCopies(rows.size(), EVENT_VALUES));
    String sql =
        tags.isEmpty()
            ? events
            : "WITH e AS ("
                + events
                + eventsReturning
                + ") "
                + tagsInsert
                + String.join(", ", Collections.nCopies(tags.size(), TAG_VALUES))
                + tagsJoin;
    try (PreparedStatement insert = connection.prepareStatement(sql)) {
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
      for (TagRow tag : tags) {
        insert.setString(p++, tag.persistenceId());
        insert.setLong(p++, tag.sequenceNumber());
        insert.setString(p++, tag.tag());
      }
      insert.executeUpdate();
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

  private static String table(Option<String> schema, String name) {
    return schema.isDefined() ? quoted(schema.get()) + "." + quoted(name) : quoted(name);
  }

  private static String quoted(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  private record TagRow(String persistenceId, long sequenceNumber, String tag) {}

  /** A failed batch write, carrying the database's reason. */
  static final class JournalWriteException extends RuntimeException {
    JournalWriteException(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }
}
