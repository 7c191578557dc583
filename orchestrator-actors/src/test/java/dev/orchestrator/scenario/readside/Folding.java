package dev.orchestrator.scenario.readside;

import akka.persistence.query.Offset;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.jdbc.javadsl.JdbcHandler;
import dev.orchestrator.db.PooledJdbcSession;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Feeds events to a grouped table handler as the projection would: envelopes with the next offset
 * and the next sequence number of their entity, each group processed and committed in one session.
 */
final class Folding<E> {
  private final JdbcHandler<List<EventEnvelope<E>>, PooledJdbcSession> handler;
  private final DataSource dataSource;
  private final String entityType;
  private final Function<E, String> idOf;
  private final Function<E, Instant> atOf;
  private final Map<String, Long> seqNrs = new HashMap<>();
  private final AtomicLong offsets = new AtomicLong();

  Folding(
      JdbcHandler<List<EventEnvelope<E>>, PooledJdbcSession> handler,
      DataSource dataSource,
      String entityType,
      Function<E, String> idOf,
      Function<E, Instant> atOf) {
    this.handler = handler;
    this.dataSource = dataSource;
    this.entityType = entityType;
    this.idOf = idOf;
    this.atOf = atOf;
  }

  /** The envelopes the read journal would deliver for {@code events}, numbering them on. */
  @SafeVarargs
  final List<EventEnvelope<E>> envelopes(E... events) {
    List<EventEnvelope<E>> group = new ArrayList<>();
    for (E event : events) {
      String id = idOf.apply(event);
      long seqNr = seqNrs.merge(id, 1L, Long::sum);
      group.add(
          EventEnvelope.create(
              Offset.sequence(offsets.incrementAndGet()),
              entityType + "|" + id,
              seqNr,
              event,
              atOf.apply(event).toEpochMilli()));
    }
    return group;
  }

  /** Folds {@code events} as one group. */
  @SafeVarargs
  final List<EventEnvelope<E>> fold(E... events) throws Exception {
    List<EventEnvelope<E>> group = envelopes(events);
    commit(group);
    return group;
  }

  /** Processes and commits one group in one session, as JdbcProjection.groupedWithin does. */
  void commit(List<EventEnvelope<E>> group) throws Exception {
    PooledJdbcSession session = new PooledJdbcSession(dataSource);
    try {
      handler.process(session, group);
      session.commit();
    } catch (Exception e) {
      session.rollback();
      throw e;
    } finally {
      session.close();
    }
  }
}
