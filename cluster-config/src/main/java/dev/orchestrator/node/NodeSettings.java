package dev.orchestrator.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.db.DatabaseSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code orchestrator} config subtree, read once and validated at start. Every problem is
 * reported as one line that names the environment variable, so an operator can fix it without
 * reading a stack trace.
 */
public record NodeSettings(
    Mode mode,
    String httpHost,
    int httpPort,
    Duration askTimeout,
    String nodeHost,
    int nodePort,
    List<HostPort> seedNodes,
    List<String> roles,
    Optional<DatabaseSettings> externalDb,
    int dbPoolSize,
    Duration dbConnectTimeout,
    Path dataDir,
    Optional<String> adminToken,
    Optional<Path> scenariosDir,
    String callbackHost,
    int callbackPort,
    Downing downing) {

  public static final String SYSTEM_NAME = "orchestrator";
  private static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._:\\[\\]-]{1,253}");
  private static final int MIN_ADMIN_TOKEN_LENGTH = 16;

  public enum Mode {
    DEV,
    CLUSTER
  }

  /**
   * How the split brain resolver decides ({@code ORCH_DOWNING}): keep-majority needs three or more
   * members to survive a crash; lease-majority lets a two-node cluster survive the crash of either
   * node, the side that takes the PostgreSQL lease staying up.
   */
  public enum Downing {
    KEEP_MAJORITY("keep-majority"),
    LEASE_MAJORITY("lease-majority");

    private final String strategy;

    Downing(String strategy) {
      this.strategy = strategy;
    }

    /** The name of the split brain resolver's strategy. */
    public String strategy() {
      return strategy;
    }
  }

  public record HostPort(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  /**
   * Whether components can reply to {@link #callbackHost}: not when it is a wildcard address (the
   * gateway bound to all interfaces and ORCH_CALLBACK_HOST unset).
   */
  public boolean callbackIsWildcard() {
    return callbackHost.equals("0.0.0.0")
        || callbackHost.equals("::")
        || callbackHost.equals("[::]");
  }

  public boolean hasRole(String role) {
    return roles.contains(role);
  }

  /** Loads the config of the mode named by {@code ORCH_MODE} (default {@code dev}). */
  public static Config loadConfig() {
    String mode = Optional.ofNullable(System.getenv("ORCH_MODE")).orElse("dev").trim();
    if (!mode.equals("dev") && !mode.equals("cluster")) {
      throw new SettingsException(
          "ORCH_MODE: '" + mode + "' is not a run mode; use dev or cluster");
    }
    return ConfigFactory.load("mode-" + mode);
  }

  /** Reads and validates {@code orchestrator.*} of an already resolved config. */
  public static NodeSettings from(Config config) {
    Config c = config.getConfig("orchestrator");
    Mode mode = mode(text(c, "mode", "ORCH_MODE"));
    String httpHost = host(text(c, "http.host", "ORCH_HTTP_HOST"), "ORCH_HTTP_HOST");
    int httpPort = port(c, "http.port", "ORCH_HTTP_PORT");
    String nodeHost = host(text(c, "node.host", "ORCH_NODE_HOST"), "ORCH_NODE_HOST");
    int nodePort = port(c, "node.port", "ORCH_NODE_PORT");
    List<HostPort> seeds = seeds(text(c, "node.seed-nodes", "ORCH_SEED_NODES"));
    List<String> roles = roles(text(c, "node.roles", "ORCH_ROLES"));
    int poolSize = positiveInt(c, "db.pool-size", "orchestrator.db.pool-size");
    Duration connectTimeout = duration(c, "db.connect-timeout", "orchestrator.db.connect-timeout");
    Optional<DatabaseSettings> db =
        database(
            text(c, "db.url", "ORCH_DB_URL"),
            text(c, "db.user", "ORCH_DB_USER"),
            text(c, "db.password", "ORCH_DB_PASSWORD"),
            poolSize,
            connectTimeout);
    if (mode == Mode.CLUSTER && db.isEmpty()) {
      throw new SettingsException(
          "ORCH_DB_URL: cluster mode needs an external PostgreSQL, such as"
              + " jdbc:postgresql://db.example:5432/orchestrator");
    }
    String dataDirText = text(c, "data-dir", "ORCH_DATA_DIR");
    if (dataDirText.isBlank()) {
      throw new SettingsException("ORCH_DATA_DIR: must name a directory, such as ./data");
    }
    Optional<String> adminToken = optional(text(c, "admin-token", "ORCH_ADMIN_TOKEN"));
    if (adminToken.isPresent() && adminToken.get().length() < MIN_ADMIN_TOKEN_LENGTH) {
      throw new SettingsException(
          "ORCH_ADMIN_TOKEN: too short to be safe; use at least "
              + MIN_ADMIN_TOKEN_LENGTH
              + " random characters, or unset it to have one generated");
    }
    String callbackHostText = text(c, "components.http.callback-host", "ORCH_CALLBACK_HOST");
    String callbackHost =
        callbackHostText.isEmpty() ? httpHost : host(callbackHostText, "ORCH_CALLBACK_HOST");
    String callbackPortText = text(c, "components.http.callback-port", "ORCH_CALLBACK_PORT");
    int callbackPort =
        callbackPortText.isEmpty() || callbackPortText.equals("0")
            ? httpPort
            : port(callbackPortText, "ORCH_CALLBACK_PORT");
    Downing downing = downing(text(c, "node.downing", "ORCH_DOWNING"));
    return new NodeSettings(
        mode,
        httpHost,
        httpPort,
        duration(c, "http.ask-timeout", "orchestrator.http.ask-timeout"),
        nodeHost,
        nodePort,
        seeds,
        roles,
        db,
        poolSize,
        connectTimeout,
        Path.of(dataDirText).toAbsolutePath().normalize(),
        adminToken,
        optional(text(c, "scenarios-dir", "ORCH_SCENARIOS_DIR")).map(Path::of),
        callbackHost,
        callbackPort,
        downing);
  }

  private static String text(Config c, String path, String variable) {
    try {
      return c.getString(path).trim();
    } catch (ConfigException e) {
      throw new SettingsException(variable + ": " + e.getMessage());
    }
  }

  private static Optional<String> optional(String value) {
    return value.isEmpty() ? Optional.empty() : Optional.of(value);
  }

  private static Mode mode(String value) {
    return switch (value) {
      case "dev" -> Mode.DEV;
      case "cluster" -> Mode.CLUSTER;
      default ->
          throw new SettingsException(
              "ORCH_MODE: '" + value + "' is not a run mode; use dev or cluster");
    };
  }

  private static Downing downing(String value) {
    for (Downing downing : Downing.values()) {
      if (downing.strategy().equals(value)) {
        return downing;
      }
    }
    throw new SettingsException(
        "ORCH_DOWNING: '"
            + value
            + "' is not a downing strategy; use keep-majority (three or more nodes) or"
            + " lease-majority (two nodes, with the lease in PostgreSQL)");
  }

  private static String host(String value, String variable) {
    if (!HOST.matcher(value).matches()) {
      throw new SettingsException(
          variable + ": '" + value + "' is not a host name or IP address, such as 127.0.0.1");
    }
    return value;
  }

  private static int port(Config c, String path, String variable) {
    return port(text(c, path, variable), variable);
  }

  private static int port(String value, String variable) {
    try {
      int port = Integer.parseInt(value);
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new SettingsException(
        variable + ": '" + value + "' is not a port number; use a whole number from 1 to 65535");
  }

  private static int positiveInt(Config c, String path, String key) {
    try {
      int value = c.getInt(path);
      if (value > 0) {
        return value;
      }
      throw new SettingsException(key + ": must be a positive whole number, not " + value);
    } catch (ConfigException e) {
      throw new SettingsException(key + ": must be a positive whole number");
    }
  }

  private static Duration duration(Config c, String path, String key) {
    try {
      Duration value = c.getDuration(path);
      if (value.isNegative() || value.isZero()) {
        throw new SettingsException(key + ": must be a positive duration such as 5s");
      }
      return value;
    } catch (ConfigException e) {
      throw new SettingsException(key + ": must be a duration such as 5s");
    }
  }

  private static List<HostPort> seeds(String value) {
    if (value.isEmpty()) {
      return List.of();
    }
    return Arrays.stream(value.split(","))
        .map(String::trim)
        .map(
            seed -> {
              int colon = seed.lastIndexOf(':');
              if (colon <= 0) {
                throw new SettingsException(
                    "ORCH_SEED_NODES: '"
                        + seed
                        + "' is not host:port; write e.g. 10.0.0.1:25520,10.0.0.2:25520");
              }
              return new HostPort(
                  host(seed.substring(0, colon), "ORCH_SEED_NODES"),
                  port(seed.substring(colon + 1), "ORCH_SEED_NODES"));
            })
        .toList();
  }

  private static List<String> roles(String value) {
    List<String> roles = Arrays.stream(value.split(",")).map(String::trim).toList();
    if (value.isEmpty()) {
      throw new SettingsException(
          "ORCH_ROLES: a node needs at least one role, such as gateway,orchestrator,worker");
    }
    for (String role : roles) {
      if (!ROLE.matcher(role).matches()) {
        throw new SettingsException(
            "ORCH_ROLES: '"
                + role
                + "' is not a role name; use lower-case letters, digits and '-' (e.g."
                + " gateway,orchestrator,worker)");
      }
    }
    return roles.stream().distinct().toList();
  }

  private static Optional<DatabaseSettings> database(
      String url, String user, String password, int poolSize, Duration connectTimeout) {
    if (url.isEmpty()) {
      return Optional.empty();
    }
    if (!url.startsWith("jdbc:postgresql://")) {
      throw new SettingsException(
          "ORCH_DB_URL: '"
              + redact(url)
              + "' is not a PostgreSQL JDBC URL; write"
              + " jdbc:postgresql://host:5432/database");
    }
    try {
      URI uri = new URI(url.substring("jdbc:".length()));
      if (uri.getHost() == null || uri.getPath() == null || uri.getPath().length() < 2) {
        throw new SettingsException(
            "ORCH_DB_URL: '"
                + redact(url)
                + "' lacks a host or a database name; write"
                + " jdbc:postgresql://host:5432/database");
      }
    } catch (java.net.URISyntaxException e) {
      throw new SettingsException(
          "ORCH_DB_URL: '" + redact(url) + "' is not a valid URL: " + e.getReason());
    }
    return Optional.of(new DatabaseSettings(url, user, password, poolSize, connectTimeout));
  }

  /** Hides a password given in the URL's query string. */
  static String redact(String url) {
    return url.replaceAll("(?i)(password=)[^&]*", "$1***");
  }

  @Override
  public String toString() {
    return "NodeSettings[mode="
        + mode
        + ", http="
        + httpHost
        + ":"
        + httpPort
        + ", callback="
        + callbackHost
        + ":"
        + callbackPort
        + ", node="
        + nodeHost
        + ":"
        + nodePort
        + ", seeds="
        + seedNodes
        + ", downing="
        + downing.strategy()
        + ", roles="
        + roles
        + ", db="
        + externalDb.map(d -> redact(d.url())).orElse("embedded")
        + ", dataDir="
        + dataDir
        + ", adminToken="
        + adminToken.map(t -> "***").orElse("generated")
        + "]";
  }
}
