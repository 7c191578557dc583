package dev.orchestrator.bench.commands;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/** Many requests from a few clients, each client a thread with its own keep-alive connection. */
public final class Parallel {
  private Parallel() {}

  /** One request of a batch: the {@code i}-th, sent on {@code api}; returns its status code. */
  public interface Call {
    int apply(Api api, int i) throws IOException;
  }

  /**
   * Runs {@code call(0..n-1)} from {@code clients} threads, each with its own connection, each
   * taking the next index when its previous request was answered. Returns the status codes (-1 for
   * an I/O failure); the latency of each call in ms goes to {@code latencies} if given.
   */
  public static int[] run(int port, String token, int n, int clients, Call call, double[] latencies)
      throws Exception {
    return run("127.0.0.1", port, token, n, clients, call, latencies);
  }

  /** {@link #run(int, String, int, int, Call, double[])} against {@code host}. */
  public static int[] run(
      String host, int port, String token, int n, int clients, Call call, double[] latencies)
      throws Exception {
    int[] codes = new int[n];
    AtomicInteger next = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        futures.add(
            pool.submit(
                () -> {
                  try (Api api = new Api(host, port, token)) {
                    int i;
                    while ((i = next.getAndIncrement()) < n) {
                      long s = System.nanoTime();
                      try {
                        codes[i] = call.apply(api, i);
                      } catch (IOException e) {
                        codes[i] = -1;
                      }
                      if (latencies != null) {
                        latencies[i] = (System.nanoTime() - s) / 1e6;
                      }
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
    return codes;
  }

  /** How many of {@code codes} are not {@code ok}. */
  public static int countNot(int[] codes, int ok) {
    int bad = 0;
    for (int c : codes) {
      if (c != ok) {
        bad++;
      }
    }
    return bad;
  }
}
