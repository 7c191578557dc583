package dev.orchestrator.singleton;

import dev.orchestrator.protocol.scenario.CronExpression;
import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.scenario.ScenarioSettings;
import dev.orchestrator.singleton.OrchestratorEvent.ScheduleAdvanced;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * When a cron schedule fires. A schedule seen for the first time starts counting from now (no fire
 * for the past). Fires missed while no orchestrator ran follow the catch-up policy: {@code latest}
 * runs the latest one, {@code none} drops them, {@code all} runs each (at most {@link
 * ScenarioSettings#MAX_CATCH_UP}). A fire is missed when it is more than two ticks old.
 */
final class Schedules {
  private Schedules() {}

  /** How the schedule of {@code scenario} moves on at {@code now}; null when it does not. */
  static ScheduleAdvanced advance(
      Scenario scenario, Instant lastFire, Instant now, ScenarioSettings settings) {
    if (lastFire == null) {
      return new ScheduleAdvanced(scenario.name(), now, List.of(), now);
    }
    CronExpression cron;
    ZoneId zone;
    try {
      cron = CronExpression.parse(scenario.trigger().cron());
      zone =
          scenario.trigger().timezone() == null
              ? ZoneId.of("UTC")
              : ZoneId.of(scenario.trigger().timezone());
    } catch (RuntimeException e) {
      return null;
    }
    List<Instant> due = new ArrayList<>();
    ZonedDateTime next = cron.next(lastFire.atZone(zone));
    Instant last = lastFire;
    while (next != null && !next.toInstant().isAfter(now)) {
      due.add(next.toInstant());
      last = next.toInstant();
      if (due.size() > ScenarioSettings.MAX_CATCH_UP) {
        due.remove(0);
      }
      next = cron.next(next);
    }
    if (due.isEmpty()) {
      return null;
    }
    Instant missedBefore = now.minus(settings.tick().multipliedBy(2));
    List<Instant> onTime = due.stream().filter(f -> !f.isBefore(missedBefore)).toList();
    List<Instant> missed = due.stream().filter(f -> f.isBefore(missedBefore)).toList();
    List<Instant> fires = new ArrayList<>(onTime);
    if (!missed.isEmpty()) {
      switch (settings.catchUp()) {
        case "all" -> fires.addAll(0, missed);
        case "latest" -> {
          if (onTime.isEmpty()) {
            fires.add(missed.get(missed.size() - 1));
          }
        }
        default -> {}
      }
    }
    return new ScheduleAdvanced(scenario.name(), last, List.copyOf(fires), now);
  }
}
