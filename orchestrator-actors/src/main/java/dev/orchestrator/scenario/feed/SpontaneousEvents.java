package dev.orchestrator.scenario.feed;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import akka.pattern.StatusReply;
import akka.stream.BoundedSourceQueue;
import akka.stream.QueueOfferResult;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import com.typesafe.config.Config;
import dev.orchestrator.component.driver.http.ComponentEventSink;
import dev.orchestrator.protocol.avena.AvenaEvent;
import dev.orchestrator.singleton.Orchestrator;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the events avena components send on their own ({@code POST /event}, not a reply) to the
 * orchestrator, as events of their {@code event_type} from their {@code source}, for
 * event-triggered scenarios. The component has its 2xx already (avena does not wait): an event the
 * orchestrator cannot take is logged.
 *
 * <p>At most {@code in-flight} events per node wait for the orchestrator's answer, the next ones
 * wait here (up to {@code buffer}; beyond it an event is dropped and logged). The orchestrator is
 * one event-sourced actor: thousands of events at once from a fleet would be stashed while it
 * persists and, in Akka 2.8, overflow its stack on the way out of the stash (docs/decisions.md,
 * "Bursts of messages that persist nothing reach an entity in batches").
 */
public final class SpontaneousEvents implements ComponentEventSink {
  private static final Logger log = LoggerFactory.getLogger(SpontaneousEvents.class);

  /** {@code orchestrator.scenarios.spontaneous-events}. */
  public record Settings(int inFlight, int buffer) {
    public Settings {
      if (inFlight < 1 || buffer < 1) {
        throw new IllegalArgumentException(
            "orchestrator.scenarios.spontaneous-events: in-flight and buffer must be at least 1");
      }
    }

    public static Settings of(Config config) {
      Config c = config.getConfig("orchestrator.scenarios.spontaneous-events");
      return new Settings(c.getInt("in-flight"), c.getInt("buffer"));
    }
  }

  private final ActorSystem<?> system;
  private final ActorRef<Orchestrator.Command> orchestrator;
  private final Duration askTimeout;
  private final BoundedSourceQueue<AvenaEvent> queue;

  public SpontaneousEvents(
      ActorSystem<?> system,
      ActorRef<Orchestrator.Command> orchestrator,
      Duration askTimeout,
      Settings settings) {
    this.system = system;
    this.orchestrator = orchestrator;
    this.askTimeout = askTimeout;
    this.queue =
        Source.<AvenaEvent>queue(settings.buffer())
            .mapAsyncUnordered(settings.inFlight(), this::handOver)
            .to(Sink.ignore())
            .run(system);
  }

  @Override
  public void spontaneous(AvenaEvent event) {
    if (event.eventType() == null || event.eventType().isBlank()) {
      log.debug("Event without event_type from '{}' ignored", event.source());
      return;
    }
    QueueOfferResult result = queue.offer(event);
    if (!QueueOfferResult.enqueued().equals(result)) {
      log.warn(
          "Event {} from component '{}' dropped: {}",
          event.eventType(),
          event.source(),
          result instanceof QueueOfferResult.Dropped$
              ? "more than the buffer of events wait for the orchestrator"
              : "the node is stopping (" + result + ")");
    }
  }

  /** Asks the orchestrator to take {@code event}; completes (never fails) when it answered. */
  private CompletionStage<Void> handOver(AvenaEvent event) {
    Orchestrator.IncomingEvent incoming =
        new Orchestrator.IncomingEvent(event.eventType(), event.source(), event.data());
    return AskPattern.<Orchestrator.Command, StatusReply<Orchestrator.Ingested>>ask(
            orchestrator,
            replyTo -> new Orchestrator.Ingest(incoming, null, replyTo),
            askTimeout,
            system.scheduler())
        .handle(
            (reply, failure) -> {
              if (failure != null || reply.isError()) {
                log.warn(
                    "Event {} from component '{}' not handed to the orchestrator: {}",
                    event.eventType(),
                    event.source(),
                    failure != null ? failure.getMessage() : reply.getError().getMessage());
              }
              return null;
            });
  }
}
