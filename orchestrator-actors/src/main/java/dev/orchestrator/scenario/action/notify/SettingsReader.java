package dev.orchestrator.scenario.action.notify;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;

/**
 * Reads one subtree of settings, failing with a message that names the setting and its variable.
 */
final class SettingsReader {
  private final Config config;
  private final String path;

  SettingsReader(Config config, String path) {
    this.path = path;
    try {
      this.config = config.getConfig(path);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(path + ": must be an object of settings", e);
    }
  }

  String string(String key, String env) {
    try {
      return config.getString(key).strip();
    } catch (ConfigException e) {
      throw new IllegalArgumentException(path + "." + key + ": must be a text" + via(env), e);
    }
  }

  /** A text that is never shown: the message names the setting only. */
  String secret(String key) {
    try {
      return config.getString(key);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(path + "." + key + ": must be a text", null);
    }
  }

  int port(String key, String env) {
    int port;
    try {
      port = config.getInt(key);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(
          path + "." + key + ": must be a port number" + via(env), e);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          path + "." + key + ": " + port + " is not a port number from 1 to 65535" + via(env));
    }
    return port;
  }

  boolean bool(String key) {
    try {
      return config.getBoolean(key);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(path + "." + key + ": must be true or false", e);
    }
  }

  Duration positiveDuration(String key) {
    Duration value;
    try {
      value = config.getDuration(key);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(path + "." + key + ": must be a duration such as 30s", e);
    }
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(path + "." + key + ": must be positive, such as 30s");
    }
    return value;
  }

  /** {@code value} (the setting {@code key}) as an absolute http or https URL. */
  URI url(String key, String value, String env) {
    return httpUrl(path + "." + key, value, env);
  }

  /**
   * {@code value} as an absolute http or https URL.
   *
   * @param setting what messages call it
   * @param env the environment variable that sets it, or null
   */
  static URI httpUrl(String setting, String value, String env) {
    URI uri;
    try {
      uri = new URI(value);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          setting + ": '" + value + "' is not a URL: " + e.getReason() + via(env), e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException(
          setting + ": '" + value + "' is not an http or https URL" + via(env));
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new IllegalArgumentException(
          setting + ": '" + value + "' has no host, such as https://example.com/hook" + via(env));
    }
    return uri;
  }

  /** How a secret shows in a printout: whether it is set, never what it is. */
  static String mask(String secret) {
    return secret.isEmpty() ? "<none>" : "****";
  }

  private static String via(String env) {
    return env == null ? "" : " (" + env + ")";
  }
}
