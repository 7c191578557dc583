package dev.orchestrator.gateway;

import java.time.Duration;

/**
 * What the gateway reads from the node's settings.
 *
 * @param host interface to bind
 * @param port port to bind
 * @param askTimeout how long to wait for an entity before answering 503
 */
public record GatewaySettings(String host, int port, Duration askTimeout) {}
