package dev.orchestrator.component;

import akka.actor.typed.ActorSystem;
import dev.orchestrator.db.GroupedTableProjection;
import dev.orchestrator.protocol.component.ComponentEvent;
import javax.sql.DataSource;

/**
 * Folds component events into the {@code components} table ({@link ComponentTableHandler}), in
 * groups of the events read together (settings {@code orchestrator.components.projection}).
 */
public final class ComponentProjection {
  private ComponentProjection() {}

  public static void init(ActorSystem<?> system, DataSource dataSource) {
    GroupedTableProjection.<ComponentEvent>init(
        system,
        dataSource,
        "components",
        ComponentEntity.TAGS,
        ComponentTableHandler::new,
        system.settings().config().getConfig("orchestrator.components.projection"));
  }
}
