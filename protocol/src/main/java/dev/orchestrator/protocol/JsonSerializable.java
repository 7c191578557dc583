package dev.orchestrator.protocol;

/**
 * Marker for every message, event and state that crosses a node boundary or reaches the journal.
 * Bound to Akka's {@code jackson-json} serializer in this module's {@code reference.conf}. Akka 2.8
 * ships no such marker of its own.
 */
public interface JsonSerializable {}
