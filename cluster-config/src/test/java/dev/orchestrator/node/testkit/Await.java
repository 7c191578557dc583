package dev.orchestrator.node.testkit;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Polls an assertion until it passes or the deadline is over (then its last failure is thrown):
 * awaitAssert for plain JUnit, for conditions that no probe can wait on (an HTTP endpoint, a row).
 */
public final class Await {
  private static final Duration INTERVAL = Duration.ofMillis(100);

  private Await() {}

  public interface Check {
    void run() throws Exception;
  }

  public static void until(Duration deadline, Check check) {
    long end = System.nanoTime() + deadline.toNanos();
    while (true) {
      try {
        check.run();
        return;
      } catch (Exception | AssertionError e) {
        if (System.nanoTime() - end > 0) {
          AssertionError failure =
              new AssertionError("not true within " + deadline + ": " + e.getMessage(), e);
          throw failure;
        }
        LockSupport.parkNanos(INTERVAL.toNanos());
      }
    }
  }
}
