package dev.orchestrator.command.readside;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.ShardedDaemonProcessSettings;
import akka.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.Offset;
import akka.projection.ProjectionBehavior;
import akka.projection.ProjectionId;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.eventsourced.javadsl.EventSourcedProvider;
import akka.projection.javadsl.GroupedProjection;
import akka.projection.javadsl.SourceProvider;
import akka.projection.jdbc.javadsl.JdbcProjection;
import dev.orchestrator.command.CommandTags;
import dev.orchestrator.db.PooledJdbcSession;
import dev.orchestrator.protocol.command.CommandEvent;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Folds command events into the {@code commands} table, one projection instance per tag of {@link
 * CommandTags#TAGS}, spread over the cluster by a sharded daemon process (each tag is folded on
 * exactly one node).
 *
 * <p>The projection is grouped: events are folded in groups of up to {@link
 * #GROUP_AFTER_ENVELOPES}, or whatever arrived within {@link #GROUP_AFTER_DURATION}, each group
 * with JDBC batches and its offset in one transaction (exactly once). Under a burst that is a few
 * round trips and one commit per group instead of one per event; when idle, an event waits at most
 * {@link #GROUP_AFTER_DURATION} more than the read journal's polling interval.
 */
public final class CommandProjection {
  /** The projection name in {@code akka_projection_offset_store}; the key is the tag. */
  public static final String NAME = "commands";

  public static final int GROUP_AFTER_ENVELOPES = 1000;
  public static final Duration GROUP_AFTER_DURATION = Duration.ofMillis(20);

  private CommandProjection() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "commands-projection",
            CommandTags.TAGS.size(),
            index ->
                ProjectionBehavior.create(
                    projection(system, dataSource, CommandTags.TAGS.get(index))),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }

  static GroupedProjection<Offset, EventEnvelope<CommandEvent>> projection(
      ActorSystem<?> system, DataSource dataSource, String tag) {
    SourceProvider<Offset, EventEnvelope<CommandEvent>> source =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag);
    return JdbcProjection.groupedWithin(
            ProjectionId.of(NAME, tag),
            source,
            () -> new PooledJdbcSession(dataSource),
            CommandTableHandler::new,
            system)
        .withGroup(GROUP_AFTER_ENVELOPES, GROUP_AFTER_DURATION);
  }
}
