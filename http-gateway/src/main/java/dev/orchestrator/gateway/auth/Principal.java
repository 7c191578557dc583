package dev.orchestrator.gateway.auth;

/**
 * Who is calling: the name of the token (as audited) and its role.
 *
 * @param tokenId id of the stored token; null for the token of {@code ORCH_ADMIN_TOKEN}
 */
public record Principal(String name, Role role, String tokenId) {}
