package dev.orchestrator.node;

/**
 * Makes {@code CompletableFuture}'s default async executor a shared pool on small machines.
 *
 * <p>The JDK's common pool has {@code availableProcessors - 1} threads; with fewer than two (any
 * machine with 2 cores or fewer) {@code CompletableFuture} runs every {@code *Async} callback on a
 * NEW THREAD. Akka's Java API converts Scala futures with scala-java8-compat, whose futures run
 * even {@code thenApply} and {@code whenComplete} callbacks asynchronously, so every ask answered
 * through the Java API started and ended a thread (measured: ~54 threads/s under 100 commands/s on
 * 2 cores). The parallelism can only be set before the pool exists, so the launcher does it first
 * thing.
 */
final class AsyncPool {
  static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

  /** Threads of the common pool when the JVM would otherwise use fewer than two. */
  static final int MIN_PARALLELISM = 4;

  private AsyncPool() {}

  /** Sets the common pool's parallelism unless the operator set it or the machine is big enough. */
  static void ensureShared() {
    if (System.getProperty(PARALLELISM) == null
        && Runtime.getRuntime().availableProcessors() - 1 < 2) {
      System.setProperty(PARALLELISM, Integer.toString(MIN_PARALLELISM));
    }
  }
}
