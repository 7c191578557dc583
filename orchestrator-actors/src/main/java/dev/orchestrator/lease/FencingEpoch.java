package dev.orchestrator.lease;

import akka.actor.AbstractExtensionId;
import akka.actor.ActorSystem;
import akka.actor.Cancellable;
import akka.actor.ExtendedActorSystem;
import akka.actor.Extension;
import akka.actor.ExtensionIdProvider;
import akka.cluster.Cluster;
import akka.cluster.MemberStatus;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fencing epoch of this node: the epoch of the cluster singleton's lease. The node that holds
 * the lease sets it at acquisition and at each heartbeat; every node also reads it from the {@code
 * leases} table on a timer ({@link #startRefresh}), so that a node that never held the lease, or
 * held an older one, learns the current epoch. {@link #newest()} never goes down.
 *
 * <p>A node that was paused (SIGSTOP, a long GC pause) may have been downed and replaced meanwhile,
 * and it reads the new singleton's epoch from the table within a second of waking up, long before
 * it learns that it was downed. So the same timer watches its own ticks ({@link PauseWatch}): after
 * a gap longer than {@code pause-threshold} the node is suspect and {@link #current()}, the epoch
 * its commands carry, stays at what it was before the pause until the cluster has confirmed the
 * node (Up, no member unreachable) for {@code pause-confirm-after}, or the node holds the lease
 * again. Until then its commands are refused wherever a newer epoch has been seen.
 */
public final class FencingEpoch implements Extension {
  private static final Logger log = LoggerFactory.getLogger(FencingEpoch.class);

  private final ExtendedActorSystem system;
  private final AtomicLong latest = new AtomicLong();
  private final AtomicBoolean started = new AtomicBoolean();
  private PauseWatch pauses;

  /** The epoch this node's commands carry while it is suspect; -1 when it is not. */
  private volatile long frozen = -1;

  private FencingEpoch(ExtendedActorSystem system) {
    this.system = system;
  }

  /**
   * The epoch this node's commands carry: the newest it knows, or, while it is suspect after a
   * pause, the one it knew before the pause. 0 before any lease was seen.
   */
  public long current() {
    long stamp = frozen;
    return stamp >= 0 ? stamp : latest.get();
  }

  /** The newest epoch known here, also while suspect: what a component checks commands against. */
  public long newest() {
    return latest.get();
  }

  /** Raises the known epoch to {@code epoch} (an older one changes nothing). */
  public void observe(long epoch) {
    long before = latest.getAndAccumulate(epoch, Math::max);
    if (epoch > before) {
      long stamp = frozen;
      if (stamp >= 0) {
        log.warn(
            "Fencing epoch {} seen (was {}); this node was paused and its commands keep epoch {}"
                + " until the cluster confirms it",
            epoch,
            before,
            stamp);
      } else {
        log.info("Fencing epoch is now {} (was {})", epoch, before);
      }
    }
  }

  /**
   * The epoch of the singleton's lease, which this node holds (acquired or renewed): raises the
   * known epoch and ends a suspicion, since the lease table has just confirmed this node.
   */
  public void observeHeld(long epoch) {
    synchronized (this) {
      if (pauses != null && pauses.clear()) {
        frozen = -1;
        log.info("This node holds the singleton's lease (epoch {}): no longer suspect", epoch);
      }
    }
    observe(epoch);
  }

  /** Starts watching for pauses of this process (see the class comment); once. */
  synchronized void watchPauses(Duration threshold, Duration confirmAfter) {
    if (pauses == null) {
      pauses = new PauseWatch(threshold, confirmAfter);
    }
  }

  /**
   * One tick of the refresh timer at {@code now} ({@link System#nanoTime()}); {@code confirmed}:
   * whether the cluster view confirms this node now.
   */
  synchronized void tick(long now, boolean confirmed) {
    if (pauses == null) {
      return;
    }
    switch (pauses.tick(now, confirmed)) {
      case SUSPECT -> {
        frozen = latest.get();
        log.warn(
            "This node was paused for {} ms (its timers stood still): it may have been downed and"
                + " replaced meanwhile, so its commands keep fencing epoch {} until the cluster"
                + " confirms it",
            pauses.paused().toMillis(),
            frozen);
      }
      case CONFIRMED -> {
        frozen = -1;
        log.info("The cluster confirmed this node after its pause: fencing epoch {}", newest());
      }
      case NONE -> {}
    }
  }

  /**
   * Whether a value read from the table at {@code now} may be observed: not when it was read so
   * long after the last tick that this process may have been paused in between, before the next
   * tick could notice (that tick decides first, the next read brings the value again).
   */
  synchronized boolean readInTime(long now) {
    return pauses == null || pauses.recent(now);
  }

  /** This node is Up and sees every member reachable; true outside a cluster. */
  private boolean confirmedByCluster() {
    try {
      Cluster cluster = Cluster.get(system);
      return cluster.selfMember().status() == MemberStatus.up()
          && cluster.state().getUnreachable().isEmpty();
    } catch (RuntimeException e) {
      return true;
    }
  }

  /**
   * Reads the epoch of the lease {@code leaseName} (the singleton's) every {@code interval} (once
   * per node; later calls do nothing), and watches the same timer for pauses longer than {@code
   * pauseThreshold}. Failures are logged at debug: the lease's own heartbeat reports a lost
   * database.
   */
  public void startRefresh(
      DataSource dataSource,
      Executor blocking,
      Duration interval,
      String leaseName,
      Duration pauseThreshold,
      Duration pauseConfirmAfter) {
    if (!started.compareAndSet(false, true)) {
      return;
    }
    watchPauses(pauseThreshold, pauseConfirmAfter);
    LeaseTable table = new LeaseTable(() -> dataSource, interval.multipliedBy(5));
    AtomicBoolean running = new AtomicBoolean();
    Runnable read =
        () -> {
          if (!running.compareAndSet(false, true)) {
            return;
          }
          try {
            long epoch = table.epoch(leaseName);
            if (readInTime(System.nanoTime())) {
              observe(epoch);
            }
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
                Duration.ZERO,
                interval,
                () -> {
                  tick(System.nanoTime(), confirmedByCluster());
                  blocking.execute(read);
                },
                system.dispatcher());
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
