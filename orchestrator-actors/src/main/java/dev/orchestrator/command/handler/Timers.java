package dev.orchestrator.command.handler;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One daemon timer thread for the built-in handlers. Tasks only complete futures; cancelled tasks
 * leave the queue at once, so cancelled long sleeps do not pile up.
 */
final class Timers {
  private static final ScheduledThreadPoolExecutor TIMER;

  static {
    AtomicInteger count = new AtomicInteger();
    TIMER =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "command-handler-timer-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    TIMER.setRemoveOnCancelPolicy(true);
    TIMER.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
  }

  private Timers() {}

  static ScheduledFuture<?> schedule(Runnable task, long delay, TimeUnit unit) {
    return TIMER.schedule(task, delay, unit);
  }

  /** Tasks waiting; for tests. */
  static int pending() {
    return TIMER.getQueue().size();
  }
}
