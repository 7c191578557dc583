package dev.orchestrator.singleton;

import dev.orchestrator.protocol.JsonSerializable;
import dev.orchestrator.singleton.OrchestratorEvent.EventDispatched;
import dev.orchestrator.singleton.OrchestratorEvent.EventIngested;
import dev.orchestrator.singleton.OrchestratorEvent.FiresDispatched;
import dev.orchestrator.singleton.OrchestratorEvent.ScheduleAdvanced;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the orchestrator must not forget across a failover: the last fire of each schedule (so that
 * none fires twice), and the events and fires not yet handed to their scenarios.
 */
public record OrchestratorState(
    Map<String, Instant> lastFires,
    Map<String, EventIngested> pendingEvents,
    Map<String, List<Instant>> pendingFires)
    implements JsonSerializable {

  public static OrchestratorState empty() {
    return new OrchestratorState(Map.of(), Map.of(), Map.of());
  }

  public OrchestratorState apply(OrchestratorEvent event) {
    if (event instanceof EventIngested e) {
      Map<String, EventIngested> events = new LinkedHashMap<>(pendingEvents);
      events.put(e.eventId(), e);
      return new OrchestratorState(lastFires, events, pendingFires);
    } else if (event instanceof EventDispatched e) {
      Map<String, EventIngested> events = new LinkedHashMap<>(pendingEvents);
      events.remove(e.eventId());
      return new OrchestratorState(lastFires, events, pendingFires);
    } else if (event instanceof ScheduleAdvanced s) {
      Map<String, Instant> last = new LinkedHashMap<>(lastFires);
      last.put(s.scenario(), s.lastFire());
      Map<String, List<Instant>> fires = new LinkedHashMap<>(pendingFires);
      if (!s.fires().isEmpty()) {
        List<Instant> all = new ArrayList<>(fires.getOrDefault(s.scenario(), List.of()));
        all.addAll(s.fires());
        fires.put(s.scenario(), List.copyOf(all));
      }
      return new OrchestratorState(last, pendingEvents, fires);
    } else if (event instanceof FiresDispatched f) {
      Map<String, List<Instant>> fires = new LinkedHashMap<>(pendingFires);
      List<Instant> left = new ArrayList<>(fires.getOrDefault(f.scenario(), List.of()));
      left.removeAll(f.fires());
      if (left.isEmpty()) {
        fires.remove(f.scenario());
      } else {
        fires.put(f.scenario(), List.copyOf(left));
      }
      return new OrchestratorState(lastFires, pendingEvents, fires);
    }
    throw new IllegalStateException("unexpected event " + event);
  }
}
