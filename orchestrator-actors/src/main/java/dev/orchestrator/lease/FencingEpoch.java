package dev.orchestrator.lease;

import akka.actor.AbstractExtensionId;
import akka.actor.ActorSystem;
import akka.actor.Cancellable;
import akka.actor.ExtendedActorSystem;
import akka.actor.Extension;
import akka.actor.ExtensionIdProvider;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The latest fencing epoch this node knows: the epoch of the cluster singleton's lease. The node
 * that holds the lease sets it at acquisition and at each heartbeat; every node also reads it from
 * the {@code leases} table on a timer ({@link #startRefresh}), so that a node that never held the
 * lease, or held an older one, learns the current epoch. It never goes down.
 */
public final class FencingEpoch implements Extension {
  private static final Logger log = LoggerFactory.getLogger(FencingEpoch.class);

  private final ExtendedActorSystem system;
  private final AtomicLong latest = new AtomicLong();
  private final AtomicBoolean started = new AtomicBoolean();

  private FencingEpoch(ExtendedActorSystem system) {
    this.system = system;
  }

  /** The latest epoch known here; 0 before any lease was seen. */
  public long current() {
    return latest.get();
  }

  /** Raises the known epoch to {@code epoch} (an older one changes nothing). */
  public void observe(long epoch) {
    long before = latest.getAndAccumulate(epoch, Math::max);
    if (epoch > before) {
      log.info("Fencing epoch is now {} (was {})", epoch, before);
    }
  }

  /**
   * Reads the epoch of the lease {@code leaseName} (the singleton's) every {@code interval} (once
   * per node; later calls do nothing). Failures are logged at debug: the lease's own heartbeat
   * reports a lost database.
   */
  public void startRefresh(
      DataSource dataSource, Executor blocking, Duration interval, String leaseName) {
    if (!started.compareAndSet(false, true)) {
      return;
    }
    LeaseTable table = new LeaseTable(() -> dataSource, interval.multipliedBy(5));
    AtomicBoolean running = new AtomicBoolean();
    Runnable read =
        () -> {
          if (!running.compareAndSet(false, true)) {
            return;
          }
          try {
            observe(table.epoch(leaseName));
          } catch (SQLException | RuntimeException e) {
            log.debug("Fencing epoch not refreshed: {}", e.getMessage());
          } finally {
            running.set(false);
          }
        };
    Cancellable timer =
        system
            .scheduler()
            .scheduleWithFixedDelay(
                Duration.ZERO, interval, () -> blocking.execute(read), system.dispatcher());
    system.registerOnTermination(timer::cancel);
  }

  public static FencingEpoch get(ActorSystem system) {
    return Id.INSTANCE.get(system);
  }

  /** The extension id. */
  static final class Id extends AbstractExtensionId<FencingEpoch> implements ExtensionIdProvider {
    static final Id INSTANCE = new Id();

    @Override
    public FencingEpoch createExtension(ExtendedActorSystem system) {
      return new FencingEpoch(system);
    }

    @Override
    public Id lookup() {
      return INSTANCE;
    }
  }
}
