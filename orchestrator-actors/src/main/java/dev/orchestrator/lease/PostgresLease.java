package dev.orchestrator.lease;

import akka.actor.Cancellable;
import akka.actor.ExtendedActorSystem;
import akka.cluster.Cluster;
import akka.coordination.lease.LeaseException;
import akka.coordination.lease.LeaseSettings;
import akka.coordination.lease.scaladsl.Lease;
import com.typesafe.config.Config;
import java.sql.SQLException;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Function1;
import scala.Option;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;
import scala.runtime.BoxedUnit;

/**
 * An {@code akka.coordination.lease} in the PostgreSQL table {@code leases}: one row per lease name
 * with its owner, an epoch that grows at every change of owner, and an expiry. Acquire is one
 * conditional UPSERT ({@link LeaseTable}): it succeeds when the lease is free, expired, already
 * ours, or when its owner's liveness advisory lock is free (the owner process died). While held, a
 * heartbeat extends the expiry every {@code heartbeat-interval}; when the lease is taken by another
 * owner, or no renewal succeeded for {@code heartbeat-timeout}, it is lost and the callback given
 * to {@code acquire} is called. A lease with {@code fencing = on} (the singleton's) publishes its
 * epoch to {@link FencingEpoch}.
 *
 * <p>Akka creates it by reflection with this constructor; its settings are those of the config path
 * given as {@code lease-implementation} / {@code use-lease}. JDBC runs on the node's blocking
 * dispatcher, never on Akka's default dispatcher.
 */
public final class PostgresLease extends Lease {
  private static final Logger log = LoggerFactory.getLogger(PostgresLease.class);
  private static final Function1<Option<Throwable>, BoxedUnit> NO_CALLBACK =
      cause -> BoxedUnit.UNIT;

  /** One holding of the lease: its epoch and until when this node may count on it. */
  private record Tenure(
      long epoch, long validUntilNanos, Function1<Option<Throwable>, BoxedUnit> onLost) {}

  private final ExtendedActorSystem system;
  private final String name;
  private final String owner;
  private final Duration interval;
  private final Duration timeout;
  private final Duration operationTimeout;
  private final boolean fencing;
  private final String configuredKey;
  private final LeaseTable table;
  private final Executor blocking;
  private final AtomicReference<Tenure> tenure = new AtomicReference<>();
  private final AtomicBoolean renewing = new AtomicBoolean();
  private Cancellable heartbeat;
  private volatile Long ownerKey;
  private volatile boolean ownerKeyKnown;

  public PostgresLease(LeaseSettings settings, ExtendedActorSystem system) {
    super(settings);
    this.system = system;
    this.name = settings.leaseName();
    this.owner = settings.ownerName();
    this.interval = settings.timeoutSettings().getHeartbeatInterval();
    this.timeout = settings.timeoutSettings().getHeartbeatTimeout();
    this.operationTimeout = settings.timeoutSettings().getOperationTimeout();
    if (interval.compareTo(timeout) >= 0) {
      throw new IllegalArgumentException(
          "lease " + name + ": heartbeat-interval must be shorter than heartbeat-timeout");
    }
    Config config = settings.leaseConfig();
    this.fencing = config.hasPath("fencing") && config.getBoolean("fencing");
    this.configuredKey = config.hasPath("owner-key") ? config.getString("owner-key").trim() : "";
    LeaseDatabase database = LeaseDatabase.get(system);
    this.table = new LeaseTable(database::dataSource, operationTimeout);
    this.blocking = database.blockingExecutor();
  }

  @Override
  public Future<Object> acquire() {
    return acquire(NO_CALLBACK);
  }

  @Override
  public Future<Object> acquire(Function1<Option<Throwable>, BoxedUnit> leaseLostCallback) {
    return scala(call(() -> tryAcquire(leaseLostCallback)));
  }

  /**
   * Frees the lease if this node still holds it. Also true when another owner took it meanwhile:
   * this node no longer holds it, and the other owner runs the singleton already.
   */
  @Override
  public Future<Object> release() {
    Tenure held = tenure.getAndSet(null);
    stopHeartbeat();
    if (held == null) {
      return scala(CompletableFuture.completedFuture(true));
    }
    return scala(
        call(
            () -> {
              if (table.release(name, owner, held.epoch())) {
                log.info("Lease {} released by {} (epoch {})", name, owner, held.epoch());
              } else {
                log.warn(
                    "Lease {} of {} (epoch {}) lost before its release: another owner holds it",
                    name,
                    owner,
                    held.epoch());
              }
              return true;
            }));
  }

  @Override
  public boolean checkLease() {
    Tenure held = tenure.get();
    return held != null && System.nanoTime() - held.validUntilNanos() < 0;
  }

  /** The epoch held now, or -1. For tests and logs. */
  public long heldEpoch() {
    Tenure held = tenure.get();
    return held == null ? -1 : held.epoch();
  }

  private boolean tryAcquire(Function1<Option<Throwable>, BoxedUnit> onLost) throws SQLException {
    long start = System.nanoTime();
    OptionalLong epoch = table.acquire(name, owner, ownerKey(), timeout);
    if (epoch.isEmpty()) {
      Tenure before = tenure.getAndSet(null);
      if (before != null) {
        stopHeartbeat();
        log.warn(
            "Lease {} of {} (epoch {}) lost: another owner holds it", name, owner, before.epoch());
      } else {
        log.debug("Lease {} not acquired by {}: another owner holds it", name, owner);
      }
      return false;
    }
    Tenure previous =
        tenure.getAndSet(new Tenure(epoch.getAsLong(), start + timeout.toNanos(), onLost));
    if (previous == null || previous.epoch() != epoch.getAsLong()) {
      log.info("Lease {} acquired by {} with epoch {}", name, owner, epoch.getAsLong());
    }
    if (fencing) {
      FencingEpoch.get(system).observeHeld(epoch.getAsLong());
    }
    startHeartbeat();
    return true;
  }

  private void renew() {
    Tenure held = tenure.get();
    if (held == null || !renewing.compareAndSet(false, true)) {
      return;
    }
    try {
      long start = System.nanoTime();
      boolean ours;
      try {
        ours = table.renew(name, owner, held.epoch(), timeout);
      } catch (SQLException | RuntimeException e) {
        if (System.nanoTime() + interval.toNanos() - held.validUntilNanos() >= 0) {
          lost(held, new LeaseException("no renewal for " + timeout + ": " + e.getMessage()));
        } else {
          log.warn("Lease {} not renewed, will try again: {}", name, e.getMessage());
        }
        return;
      }
      if (!ours) {
        lost(held, new LeaseException("lease " + name + " was taken by another owner"));
      } else if (tenure.compareAndSet(
          held, new Tenure(held.epoch(), start + timeout.toNanos(), held.onLost()))) {
        if (fencing) {
          FencingEpoch.get(system).observeHeld(held.epoch());
        }
      }
    } finally {
      renewing.set(false);
    }
  }

  private void lost(Tenure held, Throwable cause) {
    if (!tenure.compareAndSet(held, null)) {
      return;
    }
    stopHeartbeat();
    log.warn("Lease {} of {} (epoch {}) lost: {}", name, owner, held.epoch(), cause.getMessage());
    held.onLost().apply(Option.apply(cause));
  }

  private synchronized void startHeartbeat() {
    if (heartbeat == null || heartbeat.isCancelled()) {
      heartbeat =
          system
              .scheduler()
              .scheduleWithFixedDelay(
                  interval, interval, () -> blocking.execute(this::renew), system.dispatcher());
    }
  }

  private synchronized void stopHeartbeat() {
    if (heartbeat != null) {
      heartbeat.cancel();
      heartbeat = null;
    }
  }

  /**
   * The key of the owner's liveness lock: {@code owner-key} when configured, else this node's
   * member longUid when the owner is this node; null when neither (no takeover before expiry).
   */
  private Long ownerKey() {
    if (!ownerKeyKnown) {
      if (!configuredKey.isEmpty()) {
        ownerKey = Long.parseLong(configuredKey);
      } else if (system.provider() instanceof akka.cluster.ClusterActorRefProvider) {
        Cluster cluster = Cluster.get(system);
        ownerKey =
            cluster.selfAddress().hostPort().equals(owner)
                ? cluster.selfUniqueAddress().longUid()
                : null;
      }
      ownerKeyKnown = true;
    }
    return ownerKey;
  }

  private interface Jdbc<T> {
    T run() throws SQLException;
  }

  /** Runs {@code work} on the blocking dispatcher, failing after the operation timeout. */
  private <T> CompletableFuture<T> call(Jdbc<T> work) {
    return CompletableFuture.supplyAsync(
            () -> {
              try {
                return work.run();
              } catch (SQLException e) {
                throw new CompletionException(
                    new LeaseException("lease " + name + ": " + e.getMessage()));
              }
            },
            blocking)
        .orTimeout(operationTimeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  @SuppressWarnings("unchecked")
  private static Future<Object> scala(CompletionStage<Boolean> result) {
    return (Future<Object>) (Future<?>) FutureConverters.asScala(result);
  }
}
