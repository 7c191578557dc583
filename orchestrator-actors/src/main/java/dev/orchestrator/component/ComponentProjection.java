package dev.orchestrator.component;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.ShardedDaemonProcessSettings;
import akka.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.Offset;
import akka.projection.ProjectionBehavior;
import akka.projection.ProjectionId;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.eventsourced.javadsl.EventSourcedProvider;
import akka.projection.javadsl.ExactlyOnceProjection;
import akka.projection.javadsl.SourceProvider;
import akka.projection.jdbc.javadsl.JdbcProjection;
import dev.orchestrator.db.PooledJdbcSession;
import dev.orchestrator.protocol.component.ComponentEvent;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Folds component events into the {@code components} table, one projection instance per tag, spread
 * over the cluster by a sharded daemon process (each tag is folded on exactly one node).
 */
public final class ComponentProjection {
  private ComponentProjection() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "components-projection",
            ComponentEntity.TAGS.size(),
            index -> ProjectionBehavior.create(projection(system, dataSource, index)),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static ExactlyOnceProjection<Offset, EventEnvelope<ComponentEvent>> projection(
      ActorSystem<?> system, DataSource dataSource, int index) {
    String tag = ComponentEntity.TAGS.get(index);
    SourceProvider<Offset, EventEnvelope<ComponentEvent>> source =
        EventSourcedProvider.eventsByTag(system, JdbcReadJournal.Identifier(), tag);
    return JdbcProjection.exactlyOnce(
        ProjectionId.of("components", tag),
        source,
        () -> new PooledJdbcSession(dataSource),
        ComponentTableHandler::new,
        system);
  }
}
