package dev.orchestrator.component.driver.http;

import dev.orchestrator.protocol.avena.AvenaEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the gateway's {@code POST /event} hands events that components send on their own (not
 * replies to a request of ours): set on the node's {@link ReplyRouter}. Called on the gateway's
 * threads; must return quickly and never throw.
 */
public interface ComponentEventSink {

  void spontaneous(AvenaEvent event);

  /** Until something better is wired: logs each event at DEBUG. */
  ComponentEventSink LOGGING =
      new ComponentEventSink() {
        private final Logger log = LoggerFactory.getLogger(ComponentEventSink.class);

        @Override
        public void spontaneous(AvenaEvent event) {
          log.debug(
              "Event {} from component '{}' ({}:{}) not handled yet",
              event.eventType(),
              event.source(),
              event.sourceAddress(),
              event.sourcePort());
        }
      };
}
