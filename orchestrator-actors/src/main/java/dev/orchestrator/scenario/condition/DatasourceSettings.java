package dev.orchestrator.scenario.condition;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.orchestrator.protocol.Ids;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code orchestrator.scenarios} settings of {@code database} conditions, read once and
 * validated with a message that names the setting. Passwords are never printed.
 *
 * @param datasources the JDBC data sources by name ({@code datasources.<name> {url, user,
 *     password}}); {@value Datasources#DEFAULT} is the orchestrator's own database and cannot be
 *     configured
 * @param maxRows how many rows a query may return before reading stops
 * @param poolSize connections per configured data source, opened on first use
 * @param connectTimeout how long a query waits for a connection
 */
public record DatasourceSettings(
    Map<String, Datasource> datasources, int maxRows, int poolSize, Duration connectTimeout) {

  public static final String PATH = "orchestrator.scenarios";

  public DatasourceSettings {
    datasources = Map.copyOf(datasources);
  }

  /** Where one data source is; the password is never printed. */
  public record Datasource(String url, String user, String password) {
    @Override
    public String toString() {
      return "Datasource[url=" + Datasources.withoutPassword(url) + ", user=" + user + "]";
    }
  }

  /** No configured data source, the defaults otherwise: only {@code default} can be queried. */
  public static DatasourceSettings ownDatabaseOnly() {
    return new DatasourceSettings(Map.of(), 10_000, 2, Duration.ofSeconds(5));
  }

  public static DatasourceSettings from(Config config) {
    Config c = config.getConfig(PATH);
    Map<String, Datasource> datasources = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> entry : c.getObject("datasources").entrySet()) {
      String name = entry.getKey();
      datasources.put(name, datasource(name, entry.getValue()));
    }
    Config limits = c.getConfig("database-condition");
    int maxRows = atLeastOne(limits, "max-rows");
    int poolSize = atLeastOne(limits, "pool-size");
    Duration connectTimeout;
    try {
      connectTimeout = limits.getDuration("connect-timeout");
    } catch (ConfigException e) {
      throw new IllegalArgumentException(
          PATH + ".database-condition.connect-timeout: must be a duration such as 5s", e);
    }
    if (connectTimeout.compareTo(Duration.ofMillis(250)) < 0) {
      throw new IllegalArgumentException(
          PATH + ".database-condition.connect-timeout: must be at least 250ms");
    }
    return new DatasourceSettings(datasources, maxRows, poolSize, connectTimeout);
  }

  private static Datasource datasource(String name, ConfigValue value) {
    String path = PATH + ".datasources." + name;
    if (Datasources.DEFAULT.equals(name)) {
      throw new IllegalArgumentException(
          path + ": 'default' is the orchestrator's own database and cannot be configured");
    }
    String problem = Ids.problem("the datasource name", name);
    if (problem != null) {
      throw new IllegalArgumentException(path + ": " + problem);
    }
    if (value.valueType() != ConfigValueType.OBJECT) {
      throw new IllegalArgumentException(path + ": must be an object { url, user, password }");
    }
    Config c = ((ConfigObject) value).toConfig();
    String url = c.hasPath("url") ? c.getString("url").trim() : "";
    if (!url.startsWith("jdbc:")) {
      throw new IllegalArgumentException(
          path + ".url: must be a JDBC URL such as jdbc:postgresql://host:5432/name");
    }
    String user = c.hasPath("user") ? c.getString("user") : "";
    String password = c.hasPath("password") ? c.getString("password") : "";
    return new Datasource(url, user, password);
  }

  private static int atLeastOne(Config c, String key) {
    int value;
    try {
      value = c.getInt(key);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(
          PATH + ".database-condition." + key + ": must be a whole number", e);
    }
    if (value < 1) {
      throw new IllegalArgumentException(
          PATH + ".database-condition." + key + ": must be at least 1, not " + value);
    }
    return value;
  }
}
