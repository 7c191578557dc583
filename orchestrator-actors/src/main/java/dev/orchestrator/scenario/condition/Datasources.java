package dev.orchestrator.scenario.condition;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data sources {@code database} conditions query: the orchestrator's own under {@value
 * #DEFAULT}, and a small read-only pool per configured one, opened on its first use so that a data
 * source no scenario queries costs nothing and one that is down delays nothing at start.
 */
final class Datasources implements AutoCloseable {
  static final String DEFAULT = "default";

  private static final Logger log = LoggerFactory.getLogger(Datasources.class);
  private static final Pattern PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");

  private final DataSource own;
  private final DatasourceSettings settings;
  private final Map<String, HikariDataSource> pools = new HashMap<>();
  private boolean closed;

  Datasources(DataSource own, DatasourceSettings settings) {
    this.own = own;
    this.settings = settings;
  }

  /** True for the orchestrator's own database: no {@code datasource}, or {@value #DEFAULT}. */
  static boolean isOwn(String name) {
    return name == null || DEFAULT.equals(name);
  }

  /**
   * The data source of that name, null when none is configured under it.
   *
   * @throws IllegalStateException after {@link #close()}
   */
  synchronized DataSource get(String name) {
    if (closed) {
      throw new IllegalStateException("the condition evaluator is closed");
    }
    if (isOwn(name)) {
      return own;
    }
    DatasourceSettings.Datasource configured = settings.datasources().get(name);
    if (configured == null) {
      return null;
    }
    return pools.computeIfAbsent(name, n -> open(n, configured));
  }

  private HikariDataSource open(String name, DatasourceSettings.Datasource configured) {
    HikariConfig config = new HikariConfig();
    config.setPoolName("scenario-datasource-" + name);
    config.setJdbcUrl(configured.url());
    config.setUsername(configured.user());
    config.setPassword(configured.password());
    config.setReadOnly(true);
    config.setMaximumPoolSize(settings.poolSize());
    config.setMinimumIdle(0);
    config.setConnectionTimeout(settings.connectTimeout().toMillis());
    // Connect on the first query, not here: a data source that is down makes its conditions
    // false, it does not stop the evaluator.
    config.setInitializationFailTimeout(-1);
    log.info(
        "Opening the pool of scenario datasource {} at {}",
        name,
        withoutPassword(configured.url()));
    return new HikariDataSource(config);
  }

  /** The URL with any {@code password=} parameter masked, fit for logs and messages. */
  static String withoutPassword(String text) {
    return text == null ? null : PASSWORD.matcher(text).replaceAll("$1***");
  }

  /** Closes the pools opened so far; {@link #get} refuses from now on. */
  @Override
  public synchronized void close() {
    closed = true;
    pools.values().forEach(HikariDataSource::close);
    pools.clear();
  }
}
