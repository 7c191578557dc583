package dev.orchestrator.protocol.component;

import dev.orchestrator.protocol.JsonSerializable;
import java.time.Instant;

/** Facts about a component, as journaled. Never renamed without a JacksonMigration. */
public sealed interface ComponentEvent extends JsonSerializable {
  String id();

  Instant at();

  record Registered(String id, ComponentSpec spec, Instant at) implements ComponentEvent {}

  record SpecChanged(String id, ComponentSpec spec, Instant at) implements ComponentEvent {}

  record Deregistered(String id, Instant at) implements ComponentEvent {}
}
