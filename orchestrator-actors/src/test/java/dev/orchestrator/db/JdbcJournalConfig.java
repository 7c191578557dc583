package dev.orchestrator.db;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;

/**
 * The journal settings of cluster-config's persistence.conf (the plugins, the shared Slick
 * database, {@link MultiRowJournalDao}), aimed at an embedded database, for this module's tests.
 */
public final class JdbcJournalConfig {
  private static final String JOURNAL =
      """
      akka {
        loglevel = INFO
        loggers = ["akka.event.slf4j.Slf4jLogger"]
        actor.allow-java-serialization = off
        persistence.journal.plugin = "jdbc-journal"
        persistence.snapshot-store.plugin = "jdbc-snapshot-store"
      }
      akka-persistence-jdbc.shared-databases.slick {
        profile = "slick.jdbc.PostgresProfile$"
        db {
          driver = "org.postgresql.Driver"
          numThreads = 4
          maxConnections = 4
          minConnections = 1
          connectionTimeout = 10s
        }
      }
      jdbc-journal.use-shared-db = "slick"
      jdbc-journal.dao = "dev.orchestrator.db.MultiRowJournalDao"
      jdbc-snapshot-store.use-shared-db = "slick"
      jdbc-read-journal.use-shared-db = "slick"
      """;

  private static final String CLUSTER_AND_PROJECTIONS =
      """
      akka {
        actor.provider = cluster
        remote.artery.canonical { hostname = "127.0.0.1", port = 0 }
        cluster.jmx.multi-mbeans-in-same-jvm = on
      }
      jdbc-read-journal.refresh-interval = 100ms
      akka.projection.jdbc {
        dialect = "postgres-dialect"
        blocking-jdbc-dispatcher.thread-pool-executor.fixed-pool-size = 4
      }
      """;

  private JdbcJournalConfig() {}

  /** A local actor system with the JDBC journal. */
  public static Config journal(EmbeddedDatabase server) {
    return aimedAt(ConfigFactory.parseString(JOURNAL), server);
  }

  /** A one-node cluster with the JDBC journal and JDBC projections polling every 100 ms. */
  public static Config clusterWithProjections(EmbeddedDatabase server) {
    return aimedAt(
        ConfigFactory.parseString(CLUSTER_AND_PROJECTIONS)
            .withFallback(ConfigFactory.parseString(JOURNAL)),
        server);
  }

  private static Config aimedAt(Config config, EmbeddedDatabase server) {
    String db = "akka-persistence-jdbc.shared-databases.slick.db.";
    return config
        .withValue(db + "url", ConfigValueFactory.fromAnyRef(server.jdbcUrl()))
        .withValue(db + "user", ConfigValueFactory.fromAnyRef(server.user()))
        .withValue(db + "password", ConfigValueFactory.fromAnyRef(server.password()))
        .withFallback(ConfigFactory.load());
  }
}
