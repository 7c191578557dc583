package dev.orchestrator.component.driver.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * The {@code orchestrator.components.http} settings of the {@code http} driver, read once per node
 * and validated with a message that names the setting.
 *
 * @param source our name in {@code source} of every event we send
 * @param callbackHost where components reach this node's gateway ({@code source_address})
 * @param callbackPort the gateway's port as components reach it ({@code source_port})
 * @param replyTimeout how long a poll or health check waits for its reply
 * @param connectTimeout how long connecting to a component may take
 * @param requestTimeout how long a component may take to answer {@code POST /event} with 2xx
 * @param maxPendingReplies how many replies this node waits for at most, over all components
 */
public record HttpDriverSettings(
    String source,
    String callbackHost,
    int callbackPort,
    Duration replyTimeout,
    Duration connectTimeout,
    Duration requestTimeout,
    int maxPendingReplies) {

  public static final String PATH = "orchestrator.components.http";

  public static HttpDriverSettings from(Config config) {
    Config c = config.getConfig(PATH);
    String source = c.getString("source").trim();
    if (source.isEmpty()) {
      throw new IllegalArgumentException(PATH + ".source: must name the orchestrator");
    }
    String host = c.getString("callback-host").trim();
    if (host.isEmpty()) {
      throw new IllegalArgumentException(
          PATH
              + ".callback-host is empty: set ORCH_CALLBACK_HOST to the address where components"
              + " reach this node's gateway");
    }
    int port;
    try {
      port = c.getInt("callback-port");
    } catch (ConfigException e) {
      throw new IllegalArgumentException(
          PATH + ".callback-port: must be a port number (ORCH_CALLBACK_PORT)", e);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          PATH + ".callback-port: " + port + " is not a port number from 1 to 65535");
    }
    int maxPending = c.getInt("max-pending-replies");
    if (maxPending < 1) {
      throw new IllegalArgumentException(PATH + ".max-pending-replies: must be positive");
    }
    return new HttpDriverSettings(
        source,
        host,
        port,
        positive(c, "reply-timeout"),
        positive(c, "connect-timeout"),
        positive(c, "request-timeout"),
        maxPending);
  }

  private static Duration positive(Config c, String key) {
    Duration value;
    try {
      value = c.getDuration(key);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(PATH + "." + key + ": must be a duration such as 2s", e);
    }
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(PATH + "." + key + ": must be positive, such as 2s");
    }
    return value;
  }
}
