package dev.orchestrator.scenario.readside;

import akka.actor.typed.ActorSystem;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.Offset;
import akka.projection.ProjectionId;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.eventsourced.javadsl.EventSourcedProvider;
import akka.projection.javadsl.GroupedProjection;
import akka.projection.javadsl.SourceProvider;
import akka.projection.jdbc.javadsl.JdbcProjection;
import dev.orchestrator.db.PooledJdbcSession;
import dev.orchestrator.protocol.scenario.ScenarioEvent;
import dev.orchestrator.scenario.ScenarioKeys;
import javax.sql.DataSource;

/**
 * Folds scenario events (tags {@link ScenarioKeys#SCENARIO_TAGS}) into the {@code scenarios} table
 * with {@link ScenarioTableHandler}: one projection per tag, grouped, each group and its offset in
 * one transaction (exactly once). Started by {@link ScenarioReadSide#init}.
 */
public final class ScenarioProjection {
  /** The projection name in {@code akka_projection_offset_store}; the key is the tag. */
  public static final String NAME = "scenarios";

  private ScenarioProjection() {}

  static GroupedProjection<Offset, EventEnvelope<ScenarioEvent>> projection(
      ActorSystem<?> system, DataSource dataSource, String tag) {
    SourceProvider<Offset, EventEnvelope<ScenarioEvent>> source =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag);
    return JdbcProjection.groupedWithin(
            ProjectionId.of(NAME, tag),
            source,
            () -> new PooledJdbcSession(dataSource),
            ScenarioTableHandler::new,
            system)
        .withGroup(ScenarioReadSide.GROUP_AFTER_ENVELOPES, ScenarioReadSide.GROUP_AFTER_DURATION);
  }
}
