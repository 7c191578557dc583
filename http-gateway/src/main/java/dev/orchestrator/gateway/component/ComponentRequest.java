package dev.orchestrator.gateway.component;

import java.util.List;

/** Body of {@code PUT /api/v1/components/{id}}. */
public record ComponentRequest(
    String driver,
    String endpoint,
    List<String> groups,
    List<String> dependsOn,
    String pollInterval) {}
