package dev.orchestrator.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Times a failover as the survivors' {@code GET /api/v1/cluster} shows it: a request every 100 ms
 * to each survivor, each on its own thread (an answer waits up to the ask timeout while the
 * singleton is away). The member list is read when the request starts, so "not Up" and "removed"
 * are stamped with the request's start; "singleton answering" with the arrival of the first answer
 * that names a survivor as the singleton's node. Times are {@link System#nanoTime()}; 0 = not yet.
 */
final class FailoverWatch implements AutoCloseable {
  private static final long EVERY_MILLIS = 100;

  private final String victim;
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService requests = Executors.newCachedThreadPool();
  final AtomicLong notUp = new AtomicLong();
  final AtomicLong removed = new AtomicLong();
  final AtomicLong singletonAnswering = new AtomicLong();
  private volatile String newSingleton;

  private FailoverWatch(String victim) {
    this.victim = victim;
  }

  static FailoverWatch start(List<Api> survivors, String victim) {
    FailoverWatch watch = new FailoverWatch(victim);
    watch.ticker.scheduleAtFixedRate(
        () -> survivors.forEach(api -> watch.requests.execute(() -> watch.poll(api))),
        0,
        EVERY_MILLIS,
        TimeUnit.MILLISECONDS);
    return watch;
  }

  boolean done() {
    return removed.get() != 0 && singletonAnswering.get() != 0;
  }

  String newSingleton() {
    return newSingleton;
  }

  private void poll(Api api) {
    long sent = System.nanoTime();
    HttpResponse<String> response;
    try {
      response = api.get("/api/v1/cluster");
    } catch (RuntimeException e) {
      return;
    }
    long arrived = System.nanoTime();
    if (response.statusCode() != 200) {
      return;
    }
    JsonNode view = Api.json(response);
    String status = null;
    for (JsonNode member : view.get("members")) {
      if (member.get("address").asText().equals(victim)) {
        status = member.get("status").asText();
      }
    }
    if (!"Up".equals(status)) {
      earliest(notUp, sent);
    }
    if (status == null) {
      earliest(removed, sent);
    }
    JsonNode singleton = view.at("/singleton/address");
    if (!singleton.isMissingNode() && !singleton.isNull() && !singleton.asText().equals(victim)) {
      newSingleton = singleton.asText();
      earliest(singletonAnswering, arrived);
    }
  }

  private static void earliest(AtomicLong slot, long nanos) {
    slot.accumulateAndGet(nanos, (old, now) -> old == 0 ? now : Math.min(old, now));
  }

  @Override
  public void close() {
    ticker.shutdownNow();
    requests.shutdownNow();
  }
}
