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
import dev.orchestrator.protocol.scenario.ScenarioRunEvent;
import dev.orchestrator.scenario.ScenarioKeys;
import javax.sql.DataSource;

/**
 * Folds run events (tags {@link ScenarioKeys#RUN_TAGS}) into the {@code scenario_runs} table with
 * {@link ScenarioRunTableHandler}: one projection per tag, grouped, each group and its offset in
 * one transaction (exactly once). Started by {@link ScenarioReadSide#init}.
 */
public final class ScenarioRunProjection {
  /** The projection name in {@code akka_projection_offset_store}; the key is the tag. */
  public static final String NAME = "scenario-runs";

  private ScenarioRunProjection() {}

  static GroupedProjection<Offset, EventEnvelope<ScenarioRunEvent>> projection(
      ActorSystem<?> system, DataSource dataSource, String tag) {
    SourceProvider<Offset, EventEnvelope<ScenarioRunEvent>> source =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag);
    return JdbcProjection.groupedWithin(
            ProjectionId.of(NAME, tag),
            source,
            () -> new PooledJdbcSession(dataSource),
            ScenarioRunTableHandler::new,
            system)
        .withGroup(ScenarioReadSide.GROUP_AFTER_ENVELOPES, ScenarioReadSide.GROUP_AFTER_DURATION);
  }
}
