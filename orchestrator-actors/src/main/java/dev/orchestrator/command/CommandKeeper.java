package dev.orchestrator.command;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import dev.orchestrator.cluster.EntityKeeper;
import dev.orchestrator.command.CommandInternal.Wake;
import dev.orchestrator.command.readside.OpenCommands;
import dev.orchestrator.command.readside.OpenCommands.Open;
import java.util.List;

/**
 * Starts the unfinished command entities that no node runs (an {@link EntityKeeper} over the {@code
 * commands} read side): command entities are not remembered by sharding. A woken entity recovers
 * and carries on where it stood (re-attaches to or re-runs its attempt, re-arms its timers, submits
 * its chained children); a chained child its parent has not submitted yet wakes its parent. After a
 * member's removal it also wakes the unfinished commands the journal holds past the read side's
 * offsets: the projection instances that died with the member list them only once they run again.
 */
public final class CommandKeeper {
  private CommandKeeper() {}

  /** Settings at {@code orchestrator.commands.keeper}. */
  public static EntityKeeper.Settings settings(ActorSystem<?> system) {
    return EntityKeeper.Settings.of(system, "orchestrator.commands.keeper");
  }

  public static Behavior<EntityKeeper.Message> create(
      EntityKeeper.Settings settings, OpenCommands open) {
    return EntityKeeper.create(
        settings,
        new EntityKeeper.Kept<>(
            "unfinished commands",
            CommandEntity.ENTITY_TYPE_KEY,
            () -> open.read().thenApply(CommandKeeper::rows),
            () -> open.unfolded().thenApply(CommandKeeper::rows),
            Wake::new));
  }

  private static List<EntityKeeper.Row> rows(List<Open> open) {
    return open.stream()
        .map(o -> new EntityKeeper.Row(o.id(), o.entityToWake(), o.updatedAt()))
        .toList();
  }
}
