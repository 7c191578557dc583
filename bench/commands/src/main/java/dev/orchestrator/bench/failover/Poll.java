package dev.orchestrator.bench.failover;

import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** A condition looked at on a timer until it holds or a deadline passes. */
final class Poll {
  private Poll() {}

  /** What is looked at: true once the wait is over. */
  interface Condition {
    boolean holds() throws SQLException;
  }

  /**
   * Looks at {@code condition} now and every {@code intervalMs} (one look at a time, on one timer
   * thread) until it holds (true) or {@code deadlineEpochMs} passed (false).
   */
  static boolean until(Condition condition, long intervalMs, long deadlineEpochMs)
      throws SQLException, InterruptedException {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "poll");
              t.setDaemon(true);
              return t;
            });
    CompletableFuture<Boolean> over = new CompletableFuture<>();
    try {
      timer.scheduleWithFixedDelay(
          () -> {
            try {
              if (condition.holds()) {
                over.complete(true);
              } else if (System.currentTimeMillis() > deadlineEpochMs) {
                over.complete(false);
              }
            } catch (SQLException | RuntimeException e) {
              over.completeExceptionally(e);
            }
          },
          0,
          intervalMs,
          TimeUnit.MILLISECONDS);
      return over.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SQLException sql) {
        throw sql;
      }
      throw (RuntimeException) e.getCause();
    } finally {
      timer.shutdownNow();
    }
  }
}
