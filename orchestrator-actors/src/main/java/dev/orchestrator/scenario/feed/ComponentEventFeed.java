package dev.orchestrator.scenario.feed;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.cluster.sharding.typed.ShardedDaemonProcessSettings;
import akka.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import akka.pattern.StatusReply;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.Offset;
import akka.projection.ProjectionBehavior;
import akka.projection.ProjectionId;
import akka.projection.eventsourced.EventEnvelope;
import akka.projection.eventsourced.javadsl.EventSourcedProvider;
import akka.projection.javadsl.AtLeastOnceProjection;
import akka.projection.javadsl.Handler;
import akka.projection.jdbc.javadsl.JdbcProjection;
import dev.orchestrator.component.ComponentEntity;
import dev.orchestrator.db.PooledJdbcSession;
import dev.orchestrator.protocol.component.ComponentEvent;
import dev.orchestrator.singleton.Orchestrator;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands component events (state changes, faults, health, unreachable) to the orchestrator, for
 * event-triggered scenarios: one projection per component tag, at least once, with its offset in
 * PostgreSQL, so that an event journaled while the orchestrator moves is handed over afterwards.
 * Events older than {@code maxAge} are let go (a first start or a long outage does not replay old
 * history as fresh news).
 */
public final class ComponentEventFeed {
  private static final Logger log = LoggerFactory.getLogger(ComponentEventFeed.class);

  private ComponentEventFeed() {}

  public static void init(
      ActorSystem<?> system,
      DataSource dataSource,
      ActorRef<Orchestrator.Command> orchestrator,
      Duration askTimeout,
      Duration maxAge) {
    ShardedDaemonProcess.get(system)
        .init(
            ProjectionBehavior.Command.class,
            "component-event-feed",
            ComponentEntity.TAGS.size(),
            index ->
                ProjectionBehavior.create(
                    projection(system, dataSource, orchestrator, askTimeout, maxAge, index)),
            ShardedDaemonProcessSettings.create(system),
            Optional.of(ProjectionBehavior.stopMessage()));
  }

  private static AtLeastOnceProjection<Offset, EventEnvelope<ComponentEvent>> projection(
      ActorSystem<?> system,
      DataSource dataSource,
      ActorRef<Orchestrator.Command> orchestrator,
      Duration askTimeout,
      Duration maxAge,
      int index) {
    String tag = ComponentEntity.TAGS.get(index);
    return JdbcProjection.atLeastOnceAsync(
        ProjectionId.of("component-event-feed", tag),
        EventSourcedProvider.<ComponentEvent>eventsByTag(system, JdbcReadJournal.Identifier(), tag),
        () -> new PooledJdbcSession(dataSource),
        () -> new Forward(system, orchestrator, askTimeout, maxAge),
        system);
  }

  private static final class Forward extends Handler<EventEnvelope<ComponentEvent>> {
    private final ActorSystem<?> system;
    private final ActorRef<Orchestrator.Command> orchestrator;
    private final Duration askTimeout;
    private final Duration maxAge;

    Forward(
        ActorSystem<?> system,
        ActorRef<Orchestrator.Command> orchestrator,
        Duration askTimeout,
        Duration maxAge) {
      this.system = system;
      this.orchestrator = orchestrator;
      this.askTimeout = askTimeout;
      this.maxAge = maxAge;
    }

    @Override
    public CompletionStage<Done> process(EventEnvelope<ComponentEvent> envelope) {
      ComponentEvent event = envelope.event();
      if (event.at().isBefore(Instant.now().minus(maxAge))) {
        return CompletableFuture.completedFuture(Done.getInstance());
      }
      return ComponentEvents.of(event)
          .map(
              incoming ->
                  AskPattern.<Orchestrator.Command, StatusReply<Orchestrator.Ingested>>ask(
                          orchestrator,
                          replyTo -> new Orchestrator.Ingest(incoming, eventId(envelope), replyTo),
                          askTimeout,
                          system.scheduler())
                      .thenApply(
                          reply -> {
                            if (reply.isError()) {
                              log.warn("Orchestrator refused {}: {}", incoming, reply.getError());
                            }
                            return Done.getInstance();
                          }))
          .orElseGet(() -> CompletableFuture.completedFuture(Done.getInstance()));
    }

    /**
     * The same journaled component event always becomes the same orchestrator event: delivered
     * again after a crash (the projection is at least once), it starts no run twice.
     */
    private static String eventId(EventEnvelope<ComponentEvent> envelope) {
      return "component:" + envelope.persistenceId() + ":" + envelope.sequenceNr();
    }
  }
}
