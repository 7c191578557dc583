package dev.orchestrator.cluster;

import dev.orchestrator.node.testkit.Api;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Durable commands submitted continuously by a few clients, each through the given gateways in
 * turn: {@code noop}, and every tenth a {@code sleep} of {@link #SLEEP_MILLIS}. Keeps the ids of
 * the acknowledged (202) ones; anything else (503 during the failover, a broken connection) is only
 * counted, since nothing was promised for it.
 */
final class CommandLoad implements AutoCloseable {
  static final int SLEEP_MILLIS = 1500;
  private static final int CLIENTS = 2;

  final Set<String> acknowledged = ConcurrentHashMap.newKeySet();
  final AtomicInteger refused = new AtomicInteger();
  final AtomicInteger brokenOff = new AtomicInteger();
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);

  static CommandLoad start(List<Api> gateways) {
    CommandLoad load = new CommandLoad();
    for (int c = 0; c < CLIENTS; c++) {
      load.clients.execute(() -> load.submitWhileRunning(gateways));
    }
    return load;
  }

  private void submitWhileRunning(List<Api> gateways) {
    while (running.get()) {
      int n = next.getAndIncrement();
      String body =
          n % 10 == 9
              ? "{\"name\":\"sleep\",\"input\":{\"millis\":" + SLEEP_MILLIS + "}}"
              : "{\"name\":\"noop\",\"input\":{\"n\":" + n + "}}";
      try {
        HttpResponse<String> response =
            gateways.get(n % gateways.size()).post("/api/v1/commands", body);
        if (response.statusCode() == 202) {
          acknowledged.add(Api.json(response).get("id").asText());
        } else {
          refused.incrementAndGet();
        }
      } catch (RuntimeException e) {
        brokenOff.incrementAndGet();
      }
    }
  }

  /** Stops submitting and waits for the requests under way. */
  @Override
  public void close() {
    running.set(false);
    clients.shutdown();
    try {
      if (!clients.awaitTermination(60, TimeUnit.SECONDS)) {
        clients.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
