package dev.orchestrator.protocol.component;

import dev.orchestrator.protocol.JsonSerializable;
import java.time.Instant;

/** A registered component as its entity sees it; the reply to queries and registrations. */
public record ComponentView(
    String id,
    ComponentSpec spec,
    FsmState state,
    FsmState desiredState,
    Instant lastSeen,
    String error,
    Instant registeredAt,
    Instant updatedAt)
    implements JsonSerializable {}
