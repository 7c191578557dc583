package dev.orchestrator.lease;

import akka.actor.AbstractExtensionId;
import akka.actor.ActorSystem;
import akka.actor.ExtendedActorSystem;
import akka.actor.Extension;
import akka.actor.ExtensionIdProvider;
import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * The connections of the leases of one ActorSystem: a small pool of their own, so that a read side
 * busy with the shared pool cannot make a renewal late. Akka creates the leases by reflection while
 * the cluster starts, before {@code Bootstrap} runs, so the pool is made from the config ({@code
 * orchestrator.lease.database} names the block with url, user and password), and opened on first
 * use. Their JDBC calls run on the node's blocking dispatcher.
 */
public final class LeaseDatabase implements Extension {
  /** The dispatcher of blocking JDBC calls (the same as Bootstrap.BLOCKING_DISPATCHER). */
  static final String BLOCKING_DISPATCHER = "orchestrator.blocking-io-dispatcher";

  private final ExtendedActorSystem system;
  private final Config config;
  private HikariDataSource dataSource;

  private LeaseDatabase(ExtendedActorSystem system) {
    this.system = system;
    this.config = system.settings().config().getConfig("orchestrator.lease");
  }

  /** The pool, opened on first use and closed when the ActorSystem terminates. */
  public synchronized DataSource dataSource() {
    if (dataSource == null) {
      Config db = system.settings().config().getConfig(config.getString("database"));
      String url = db.getString("url");
      if (url.isBlank()) {
        throw new IllegalStateException(
            "orchestrator.lease.database names " + config.getString("database") + ", without url");
      }
      HikariConfig hikari = new HikariConfig();
      hikari.setJdbcUrl(url);
      hikari.setUsername(db.getString("user"));
      hikari.setPassword(db.getString("password"));
      hikari.setMaximumPoolSize(config.getInt("pool-size"));
      hikari.setMinimumIdle(1);
      hikari.setPoolName("orchestrator-lease");
      long timeout = config.getDuration("connect-timeout").toMillis();
      hikari.setConnectionTimeout(timeout);
      // Never fail here: a lease that cannot reach the database answers "not acquired".
      hikari.setInitializationFailTimeout(-1);
      HikariDataSource opened = new HikariDataSource(hikari);
      system.registerOnTermination(opened::close);
      dataSource = opened;
    }
    return dataSource;
  }

  /** Where the leases run their JDBC calls. */
  public Executor blockingExecutor() {
    return system.dispatchers().lookup(BLOCKING_DISPATCHER);
  }

  public static LeaseDatabase get(ActorSystem system) {
    return Id.INSTANCE.get(system);
  }

  /** The extension id. */
  static final class Id extends AbstractExtensionId<LeaseDatabase> implements ExtensionIdProvider {
    static final Id INSTANCE = new Id();

    @Override
    public LeaseDatabase createExtension(ExtendedActorSystem system) {
      return new LeaseDatabase(system);
    }

    @Override
    public Id lookup() {
      return INSTANCE;
    }
  }
}
