package dev.orchestrator.component;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import dev.orchestrator.cluster.EntityKeeper;
import dev.orchestrator.cluster.ReadSideRows;
import dev.orchestrator.protocol.component.ComponentCommand;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Starts the registered components whose entity no node runs (an {@link EntityKeeper} over the
 * {@code components} read side, which deletes a component's row when it is deregistered), so that
 * every registered component is polled: after a node or cluster restart, a crash, a handed-over
 * shard. Component entities are not remembered by sharding (docs/decisions.md, "Components are kept
 * by the read side").
 */
public final class ComponentKeeper {
  private ComponentKeeper() {}

  /** Settings at {@code orchestrator.components.keeper}. */
  public static EntityKeeper.Settings settings(ActorSystem<?> system) {
    return EntityKeeper.Settings.of(system, "orchestrator.components.keeper");
  }

  public static Behavior<EntityKeeper.Message> create(
      EntityKeeper.Settings settings, DataSource dataSource, Executor blocking) {
    return EntityKeeper.create(
        settings,
        new EntityKeeper.Kept<>(
            "registered components",
            ComponentEntity.ENTITY_TYPE_KEY,
            ReadSideRows.of(dataSource, blocking, "SELECT id, updated_at FROM components"),
            ComponentCommand.Wake::new));
  }
}
