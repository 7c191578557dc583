package dev.orchestrator.component;

import akka.actor.typed.ActorRef;
import dev.orchestrator.protocol.component.ComponentView;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Who wants to hear of a component's changes ({@code ComponentCommand.Watch}), each until its watch
 * expires. In memory only, one per entity incarnation, used from the entity's thread only; at most
 * {@link #MAX} at once (the oldest watch goes first).
 */
final class Watchers {
  static final int MAX = 64;

  private final Map<ActorRef<ComponentView>, Instant> until = new LinkedHashMap<>();

  void add(ActorRef<ComponentView> watcher, Duration duration, Instant now) {
    until.remove(watcher);
    until.put(watcher, now.plus(duration));
    if (until.size() > MAX) {
      Iterator<ActorRef<ComponentView>> oldest = until.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
  }

  void remove(ActorRef<ComponentView> watcher) {
    until.remove(watcher);
  }

  /** Drops the expired watches; true when someone is still watching. */
  boolean any(Instant now) {
    until.values().removeIf(end -> end.isBefore(now));
    return !until.isEmpty();
  }

  /** Tells every watcher {@code view} (call {@link #any} first). */
  void tell(ComponentView view) {
    until.keySet().forEach(watcher -> watcher.tell(view));
  }
}
