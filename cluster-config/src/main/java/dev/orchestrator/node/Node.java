package dev.orchestrator.node;

import akka.actor.Address;
import akka.actor.AddressFromURIString;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.cluster.typed.JoinSeedNodes;
import akka.http.javadsl.ServerBinding;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.Bootstrap;
import dev.orchestrator.cluster.liveness.ClusterMembers;
import dev.orchestrator.cluster.liveness.NodeLiveness;
import dev.orchestrator.db.Database;
import dev.orchestrator.db.DatabaseSettings;
import dev.orchestrator.db.EmbeddedDatabase;
import dev.orchestrator.gateway.Gateway;
import dev.orchestrator.gateway.GatewaySettings;
import dev.orchestrator.gateway.audit.AuditTrail;
import dev.orchestrator.gateway.auth.TokenStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One orchestrator node: its database (embedded in {@code dev}), the migrations, the ActorSystem in
 * the cluster, every entity and singleton (through {@link Bootstrap}), the admin token and the HTTP
 * gateway. The launcher starts one; integration tests start several.
 */
public final class Node {
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  /** The finest scheduler tick Akka allows on Windows. */
  private static final Duration WINDOWS_MIN_TICK = Duration.ofMillis(10);

  private static final Duration BIND_TIMEOUT = Duration.ofSeconds(30);

  /**
   * The reason of the coordinated shutdown that {@link #stop()} runs: a stop that was asked for.
   */
  public static final akka.actor.CoordinatedShutdown.Reason STOP_REQUESTED = new StopRequested();

  private static final class StopRequested implements akka.actor.CoordinatedShutdown.Reason {
    @Override
    public String toString() {
      return "StopRequested";
    }
  }

  private final NodeSettings settings;
  private final ActorSystem<Void> system;
  private final Bootstrap.Services services;
  private final Optional<ServerBinding> binding;
  private final Optional<String> generatedAdminToken;
  private final CompletionStage<Void> closed;

  private Node(
      NodeSettings settings,
      ActorSystem<Void> system,
      Bootstrap.Services services,
      Optional<ServerBinding> binding,
      Optional<String> generatedAdminToken,
      CompletionStage<Void> closed) {
    this.settings = settings;
    this.system = system;
    this.services = services;
    this.binding = binding;
    this.generatedAdminToken = generatedAdminToken;
    this.closed = closed;
  }

  /** Starts a node; on failure, whatever was started is stopped again before the exception. */
  public static Node start(NodeSettings settings, Config config) throws Exception {
    log.info("Starting orchestrator node: {}", settings);
    if (settings.callbackIsWildcard()) {
      log.warn(
          "Components are told to reply to {}:{}, which they cannot reach; set ORCH_CALLBACK_HOST"
              + " to an address of this node that they can reach",
          settings.callbackHost(),
          settings.callbackPort());
    }
    EmbeddedDatabase embedded = null;
    Database database = null;
    ActorSystem<Void> system = null;
    try {
      DatabaseSettings dbSettings;
      if (settings.externalDb().isPresent()) {
        dbSettings = settings.externalDb().get();
      } else {
        embedded = EmbeddedDatabase.start(settings.dataDir().resolve("postgres"));
        dbSettings =
            new DatabaseSettings(
                embedded.jdbcUrl(),
                embedded.user(),
                embedded.password(),
                settings.dbPoolSize(),
                settings.dbConnectTimeout());
        log.info("Embedded PostgreSQL on port {}, data in {}", embedded.port(), settings.dataDir());
      }
      database = connect(dbSettings);
      int applied = database.migrate().migrationsExecuted;
      log.info("Database schema up to date ({} migrations applied now)", applied);

      system =
          ActorSystem.create(
              Behaviors.empty(),
              NodeSettings.SYSTEM_NAME,
              akkaConfig(settings, dbSettings, config));
      CompletionStage<Void> closed = closeWithSystem(system, database, embedded);
      join(settings, system, dbSettings);
      Bootstrap.Services services = Bootstrap.init(system, database);
      if (settings.mode() == NodeSettings.Mode.DEV && config.getBoolean("orchestrator.examples")) {
        Examples.loadOnce(system, settings.dataDir())
            .whenComplete(
                (done, failure) -> {
                  if (failure != null) {
                    log.error("The demo set did not load: {}", failure.getMessage());
                  }
                });
      }
      TokenStore tokens =
          new TokenStore(database.dataSource(), services.blockingExecutor(), settings.adminToken());
      Optional<String> generated = adminToken(settings, tokens);
      Optional<ServerBinding> binding = Optional.empty();
      if (settings.hasRole("gateway")) {
        binding = Optional.of(bind(settings, system, services, tokens, database));
      } else {
        log.info("No gateway role: this node serves no HTTP");
      }
      return new Node(settings, system, services, binding, generated, closed);
    } catch (Exception | Error e) {
      if (system != null) {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } else {
        if (database != null) {
          database.close();
        }
        if (embedded != null) {
          embedded.close();
        }
      }
      throw e;
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public Bootstrap.Services services() {
    return services;
  }

  public NodeSettings settings() {
    return settings;
  }

  /** The admin token generated at this start, if any: to be shown once, then forgotten. */
  public Optional<String> generatedAdminToken() {
    return generatedAdminToken;
  }

  public Optional<ServerBinding> binding() {
    return binding;
  }

  /** Completes once the ActorSystem has terminated and the database (embedded too) is closed. */
  public CompletionStage<Void> closed() {
    return closed;
  }

  /** Leaves the cluster gracefully and stops everything (coordinated shutdown). */
  public CompletionStage<akka.Done> stop() {
    return akka.actor.CoordinatedShutdown.get(system).runAll(STOP_REQUESTED);
  }

  private static Database connect(DatabaseSettings dbSettings) {
    try {
      return Database.connect(dbSettings);
    } catch (RuntimeException e) {
      throw new IllegalStateException(
          "cannot connect to the database at "
              + NodeSettings.redact(dbSettings.url())
              + ": "
              + rootMessage(e)
              + " (check ORCH_DB_URL, ORCH_DB_USER and ORCH_DB_PASSWORD)",
          e);
    }
  }

  private static CompletionStage<Void> closeWithSystem(
      ActorSystem<?> system, Database database, EmbeddedDatabase embedded) {
    return system
        .getWhenTerminated()
        .thenRun(
            () -> {
              database.close();
              if (embedded != null) {
                try {
                  embedded.close();
                } catch (IOException e) {
                  log.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
                }
              }
            });
  }

  /**
   * Dev mode: the node joins itself. Cluster mode: the node first takes its liveness lock (proof of
   * death, {@link NodeLiveness}), and only then joins its seeds, so that no member of the cluster
   * is ever without its lock.
   */
  private static void join(NodeSettings settings, ActorSystem<?> system, DatabaseSettings db) {
    Cluster cluster = Cluster.get(system);
    if (settings.mode() == NodeSettings.Mode.DEV) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      return;
    }
    List<String> live = NodeLiveness.start(system, db);
    List<String> configured = seedAddresses(settings).stream().map(Address::toString).toList();
    List<Address> seeds =
        ClusterMembers.seeds(configured, live, cluster.selfMember().address().toString()).stream()
            .map(AddressFromURIString::parse)
            .toList();
    log.info("Joining the cluster through {} (nodes alive now: {})", seeds, live);
    cluster.manager().tell(new JoinSeedNodes(seeds));
  }

  /** The seeds of ORCH_SEED_NODES, or this node alone when none are given. */
  static List<Address> seedAddresses(NodeSettings settings) {
    List<NodeSettings.HostPort> seeds =
        settings.seedNodes().isEmpty()
            ? List.of(new NodeSettings.HostPort(settings.nodeHost(), settings.nodePort()))
            : settings.seedNodes();
    return seeds.stream()
        .map(s -> new Address("akka", NodeSettings.SYSTEM_NAME, s.host(), s.port()))
        .toList();
  }

  static Config akkaConfig(NodeSettings settings, DatabaseSettings db, Config config) {
    Map<String, Object> values = new HashMap<>();
    values.put("akka.remote.artery.canonical.hostname", settings.nodeHost());
    values.put("akka.remote.artery.canonical.port", settings.nodePort());
    values.put("akka.cluster.roles", settings.roles());
    values.put("orchestrator.components.http.callback-host", settings.callbackHost());
    values.put("orchestrator.components.http.callback-port", settings.callbackPort());
    if (settings.mode() == NodeSettings.Mode.CLUSTER) {
      values.put(
          "akka.cluster.split-brain-resolver.active-strategy", settings.downing().strategy());
    } else {
      if (!settings.seedNodes().isEmpty()) {
        log.warn("ORCH_SEED_NODES is ignored in dev mode: the node joins itself");
      }
      if (settings.downing() != NodeSettings.Downing.KEEP_MAJORITY) {
        log.warn("ORCH_DOWNING is ignored in dev mode: one node has no split brain to resolve");
      }
    }
    String slick = "akka-persistence-jdbc.shared-databases.slick.db.";
    values.put(slick + "url", db.url());
    values.put(slick + "user", db.user());
    values.put(slick + "password", db.password());
    schedulerTick(config, System.getProperty("os.name", ""))
        .ifPresent(tick -> values.put("akka.scheduler.tick-duration", tick));
    return ConfigFactory.parseMap(values).withFallback(config).resolve();
  }

  /**
   * The scheduler tick to use instead of the configured one on this operating system, if any: Akka
   * refuses to start with a tick below 10 ms where it takes the system for Windows (an {@code
   * os.name} containing "win"), so there a finer tick (actor.conf sets 1 ms) becomes 10 ms.
   */
  static Optional<String> schedulerTick(Config config, String osName) {
    boolean windows = osName.toLowerCase(Locale.ROOT).contains("win");
    Duration configured = config.getDuration("akka.scheduler.tick-duration");
    if (windows && configured.compareTo(WINDOWS_MIN_TICK) < 0) {
      log.info(
          "akka.scheduler.tick-duration {} ms is below what Akka allows on {}; using 10 ms",
          configured.toMillis(),
          osName);
      return Optional.of("10ms");
    }
    return Optional.empty();
  }

  private static Optional<String> adminToken(NodeSettings settings, TokenStore tokens)
      throws IOException {
    if (settings.adminToken().isPresent()) {
      return Optional.empty();
    }
    if (settings.mode() == NodeSettings.Mode.CLUSTER) {
      return tokens.generateAdminTokenIfNone();
    }
    Path file = settings.dataDir().resolve("admin.token");
    if (Files.exists(file)) {
      tokens.ensureAdminToken(Files.readString(file, StandardCharsets.UTF_8).trim());
      log.info("Admin token in {}", file);
      return Optional.empty();
    }
    String token = tokens.newToken();
    Files.deleteIfExists(file);
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
    tokens.ensureAdminToken(token);
    return Optional.of(token);
  }

  private static ServerBinding bind(
      NodeSettings settings,
      ActorSystem<?> system,
      Bootstrap.Services services,
      TokenStore tokens,
      Database database)
      throws Exception {
    GatewaySettings gatewaySettings =
        new GatewaySettings(settings.httpHost(), settings.httpPort(), settings.askTimeout());
    AuditTrail audit =
        new AuditTrail(
            system,
            database.dataSource(),
            services.blockingExecutor(),
            system.address().toString());
    Gateway gateway = new Gateway(services, gatewaySettings, tokens, audit);
    try {
      return Gateway.bind(system, gatewaySettings, gateway)
          .toCompletableFuture()
          .get(BIND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(
          "cannot listen on "
              + settings.httpHost()
              + ":"
              + settings.httpPort()
              + ": "
              + rootMessage(e)
              + " (set ORCH_HTTP_HOST / ORCH_HTTP_PORT)",
          e);
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }
}
