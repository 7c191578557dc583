package dev.orchestrator.node;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the launcher's JVM once its node has stopped, with an exit code decided by why the node's
 * coordinated shutdown started: 0 when it was asked to stop ({@link Node#STOP_REQUESTED}, SIGTERM
 * or SIGINT), {@link Main#EXIT_REMOVED} for every other reason (downed by the split brain resolver
 * or by another node, removed after a leave it did not ask for, quarantined, its join given up), so
 * that a supervisor that restarts on failure restarts it.
 *
 * <p>The decision does not depend on which callback runs first. As soon as the shutdown starts, a
 * non-daemon thread waits for the node to close and then calls {@code System.exit}: the JVM cannot
 * end on its own with 0 in between (as it did when the last Akka thread ended before the old
 * callback's {@code System.exit(3)} ran). If the node has not closed within the shutdown's own
 * bound (the sum of Akka's phase timeouts plus {@link #GRACE}), or {@code System.exit} does not
 * return within {@link #GRACE} (a shutdown hook hangs), the JVM is halted with the same code: a
 * downed node never stays up half-stopped (once seen: "Coordinated shutdown phase
 * [actor-system-terminate] timed out", then no exit at all).
 */
final class NodeExit {
  private static final Logger log = LoggerFactory.getLogger(NodeExit.class);

  /** Margin on top of the coordinated shutdown's own total timeout, and for shutdown hooks. */
  static final Duration GRACE = Duration.ofSeconds(10);

  private final Node node;
  private final CoordinatedShutdown shutdown;
  private final AtomicBoolean started = new AtomicBoolean();

  private NodeExit(Node node) {
    this.node = node;
    this.shutdown = CoordinatedShutdown.get(node.system());
  }

  /**
   * Watches {@code node}: the exit starts with the first phase of its coordinated shutdown, or when
   * the node is closed without one.
   */
  static void install(Node node) {
    NodeExit exit = new NodeExit(node);
    exit.shutdown.addTask(
        CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "orchestrator-exit",
        () -> {
          exit.start();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    node.closed().whenComplete((ok, failure) -> exit.start());
  }

  /** The exit code for a coordinated shutdown started for {@code reason}. */
  static int exitCode(CoordinatedShutdown.Reason reason) {
    return reason == Node.STOP_REQUESTED ? 0 : Main.EXIT_REMOVED;
  }

  private void start() {
    if (!started.compareAndSet(false, true)) {
      return;
    }
    CoordinatedShutdown.Reason reason =
        shutdown.getShutdownReason().orElse(CoordinatedShutdown.unknownReason());
    if (reason == CoordinatedShutdown.jvmExitReason()) {
      // The JVM is already exiting (its shutdown hook started this): its own code stands.
      return;
    }
    int code = exitCode(reason);
    Duration bound = Duration.ofMillis(shutdown.totalTimeout().toMillis()).plus(GRACE);
    Thread exiter = new Thread(() -> awaitAndExit(reason, code, bound), "orchestrator-exit");
    exiter.setDaemon(false);
    exiter.start();
  }

  private void awaitAndExit(CoordinatedShutdown.Reason reason, int code, Duration bound) {
    try {
      node.closed().toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.error(
          "The node did not stop within {} s of its shutdown ({}); halting with exit code {}",
          bound.toSeconds(),
          reason,
          code);
      Runtime.getRuntime().halt(code);
    } catch (ExecutionException e) {
      log.warn("The node stopped with an error: {}", Node.rootMessage(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (code == 0) {
      log.info("Node stopped");
    } else {
      log.warn(
          "The node left the cluster without being asked to ({}); exiting with {}", reason, code);
    }
    // A shutdown hook that hangs must not keep the JVM up: halt with the same code after GRACE
    // (the delayed executor's thread is a daemon, so it never holds a normal exit back).
    CompletableFuture.delayedExecutor(GRACE.toMillis(), TimeUnit.MILLISECONDS)
        .execute(() -> Runtime.getRuntime().halt(code));
    System.exit(code);
  }
}
