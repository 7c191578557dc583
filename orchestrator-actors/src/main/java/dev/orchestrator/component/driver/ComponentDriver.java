package dev.orchestrator.component.driver;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.component.LifecycleCommand;
import java.util.concurrent.CompletionStage;

/**
 * How a component entity reaches its component. One instance per entity incarnation, created by the
 * entity when it starts and closed when it stops. Every call is asynchronous and must never block
 * the caller; a stage that never completes is not allowed (each call has its own deadline and fails
 * with {@link DriverException} when it passes).
 *
 * <p>{@code epoch} is the sender's fencing epoch; drivers put it in {@code data.epoch} of every
 * event they send.
 */
public interface ComponentDriver extends AutoCloseable {

  /**
   * Hands a lifecycle command to the component. Completes when the component took it (for {@code
   * http}: {@code POST /event} answered 2xx), not when the transition is over: the outcome is
   * learned from {@link #poll}, because a reply may never come.
   */
  CompletionStage<Void> send(LifecycleCommand command, long epoch);

  /** Asks the component for its lifecycle state ({@code CMD_GET_STATE}). */
  CompletionStage<Observation> poll(long epoch);

  /** Asks the component for its health ({@code CMD_HEALTH_CHECK}): free-form data. */
  CompletionStage<JsonNode> healthCheck(long epoch);

  /**
   * Calls {@code listener} (from any thread) each time the component lets the driver know by itself
   * that it changed, so that the entity polls it at once rather than at its next poll. The default
   * ignores it: such components are learned of by polling only.
   */
  default void onChange(Runnable listener) {}

  /** Releases what the driver holds (pending replies, timers). Never throws. */
  @Override
  void close();
}
