package dev.orchestrator.component;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.component.driver.Observation;
import dev.orchestrator.protocol.component.ComponentCommand;

/**
 * The component entity's private messages: its poll timer and its drivers' answers, brought back
 * through {@code pipeToSelf}. Never sent across nodes.
 */
interface ComponentInternal extends ComponentCommand {

  /** Time to poll the component (or to probe it, when the breaker allows). */
  enum PollTick implements ComponentInternal {
    INSTANCE
  }

  /**
   * A poll's answer ({@code observation}) or failure ({@code failure}). {@code driverGeneration}
   * tells answers of a replaced driver apart.
   */
  record Polled(int driverGeneration, Observation observation, String failure)
      implements ComponentInternal {}

  /** A health check's answer, or its failure. */
  record HealthChecked(int driverGeneration, JsonNode health, String failure)
      implements ComponentInternal {}

  /** A lifecycle command was handed over ({@code failure} null) or could not be. */
  record Sent(int driverGeneration, String command, String failure) implements ComponentInternal {}

  /** The driver of generation {@code driverGeneration} says its component changed: poll now. */
  record ChangeAnnounced(int driverGeneration) implements ComponentInternal {}
}
