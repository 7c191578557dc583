package dev.orchestrator.db;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.ShardedDaemonProcessSettings;
import akka.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.projection.ProjectionBehavior;
import akka.projection.ProjectionId;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.eventsourced.javadsl.EventSourcedProvider;
import akka.projection.jdbc.javadsl.JdbcHandler;
import akka.projection.jdbc.javadsl.JdbcProjection;
import com.typesafe.config.Config;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * A read side folded into query tables by one projection instance per tag, spread over the cluster
 * by a sharded daemon process (each tag is folded on exactly one node). Exactly once, in groups:
 * the events read together are folded in one transaction with their offset, one commit per group
 * instead of one per event (each commit waits for an fsync, and entities journal many events at
 * once). The group's size and wait come from {@code grouping} ({@code group-after-envelopes},
 * {@code group-after-duration}).
 */
public final class GroupedTableProjection {
  private GroupedTableProjection() {}

  /** Starts projection {@code name} over {@code tags} (the projection id's key is the tag). */
  public static <E> void init(
      ActorSystem<?> system,
      DataSource dataSource,
      String name,
      List<String> tags,
      Supplier<JdbcHandler<List<EventEnvelope<E>>, PooledJdbcSession>> handler,
      Config grouping) {
    int groupAfterEnvelopes = grouping.getInt("group-after-envelopes");
    java.time.Duration groupAfterDuration = grouping.getDuration("group-after-duration");
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            name + "-projection",
            tags.size(),
            index ->
                ProjectionBehavior.create(
                    JdbcProjection.groupedWithin(
                            ProjectionId.of(name, tags.get(index)),
                            EventSourcedProvider.<E>eventsByTag(
                                system, JdbcReadJournal.Identifier(), tags.get(index)),
                            () -> new PooledJdbcSession(dataSource),
                            handler,
                            system)
                        .withGroup(groupAfterEnvelopes, groupAfterDuration)),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }
}
