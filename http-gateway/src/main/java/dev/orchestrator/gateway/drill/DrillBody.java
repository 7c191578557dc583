package dev.orchestrator.gateway.drill;

/**
 * Body of {@code POST /api/v1/drills}.
 *
 * @param type {@code singleton-handover} or {@code node-crash}
 * @param node the target, a member address as {@code GET /api/v1/cluster} shows it; null for the
 *     node the singleton runs on
 */
public record DrillBody(String type, String node) {}
