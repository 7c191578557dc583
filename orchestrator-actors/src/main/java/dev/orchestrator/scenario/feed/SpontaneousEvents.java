package dev.orchestrator.scenario.feed;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.pattern.StatusReply;
import dev.orchestrator.component.driver.http.ComponentEventSink;
import dev.orchestrator.protocol.avena.AvenaEvent;
import dev.orchestrator.singleton.Orchestrator;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the events avena components send on their own ({@code POST /event}, not a reply) to the
 * orchestrator, as events of their {@code event_type} from their {@code source}, for
 * event-triggered scenarios. The component has its 2xx already (avena does not wait): an event the
 * orchestrator cannot take is logged.
 */
public final class SpontaneousEvents implements ComponentEventSink {
  private static final Logger log = LoggerFactory.getLogger(SpontaneousEvents.class);

  private final ActorSystem<?> system;
  private final ActorRef<Orchestrator.Command> orchestrator;
  private final Duration askTimeout;

  public SpontaneousEvents(
      ActorSystem<?> system, ActorRef<Orchestrator.Command> orchestrator, Duration askTimeout) {
    this.system = system;
    this.orchestrator = orchestrator;
    this.askTimeout = askTimeout;
  }

  @Override
  public void spontaneous(AvenaEvent event) {
    if (event.eventType() == null || event.eventType().isBlank()) {
      log.debug("Event without event_type from '{}' ignored", event.source());
      return;
    }
    Orchestrator.IncomingEvent incoming =
        new Orchestrator.IncomingEvent(event.eventType(), event.source(), event.data());
    AskPattern.<Orchestrator.Command, StatusReply<Orchestrator.Ingested>>ask(
            orchestrator,
            replyTo -> new Orchestrator.Ingest(incoming, null, replyTo),
            askTimeout,
            system.scheduler())
        .whenComplete(
            (reply, failure) -> {
              if (failure != null || reply.isError()) {
                log.warn(
                    "Event {} from component '{}' not handed to the orchestrator: {}",
                    event.eventType(),
                    event.source(),
                    failure != null ? failure.getMessage() : reply.getError().getMessage());
              }
            });
  }
}
