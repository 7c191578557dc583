package dev.orchestrator.gateway.component;

/** Body of {@code POST /api/v1/components/{id}/lifecycle}: {@code {"command": "CMD_RUN"}}. */
public record LifecycleRequest(String command) {}
