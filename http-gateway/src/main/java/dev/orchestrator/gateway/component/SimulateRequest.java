package dev.orchestrator.gateway.component;

/** Body of {@code POST /api/v1/components/{id}/simulate}: {@code {"fault": "unresponsive"}}. */
public record SimulateRequest(String fault) {}
