package dev.orchestrator.bench.failover;

import dev.orchestrator.bench.commands.Api;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the partition run writes besides commands, so that a second singleton or a second copy of
 * an entity would have something to write twice: events ({@code POST /api/v1/events}, journaled
 * by the orchestrator singleton under its one persistence id) and lifecycle commands to a few
 * {@code simulated} components ({@code POST /api/v1/components/{id}/lifecycle}, each journaled by
 * the component with the fencing epoch its sender's node knew). Each goes to the next node in
 * turn, once (an event has no idempotency key, so it is never retried); a 409 from the
 * component's state machine is expected and counted.
 */
final class SideLoad implements AutoCloseable {
  private static final List<String> COMMANDS = List.of("CMD_INITIALIZED", "CMD_RUN", "CMD_PAUSE");
  static final String SCENARIO = "bench_partition";
  static final String EVENT_TYPE = "BENCH_PARTITION";

  private final LocalCluster cluster;
  private final double eventRate;
  private final double lifecycleRate;
  private final int components;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .build();
  private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(1);
  private final AtomicInteger eventSeq = new AtomicInteger();
  private final AtomicInteger lifecycleSeq = new AtomicInteger();
  /** Acknowledged events that matched the scenario: the singleton journaled them. */
  final Set<String> ackedEvents = ConcurrentHashMap.newKeySet();
  /** When events were acknowledged as matching no scenario (so not journaled, no run started). */
  final List<Long> unmatchedAcks = new java.util.concurrent.CopyOnWriteArrayList<>();
  final AtomicInteger eventsSent = new AtomicInteger();
  final AtomicInteger eventsRefused = new AtomicInteger();
  final AtomicInteger lifecycleSent = new AtomicInteger();
  final AtomicInteger lifecycleAccepted = new AtomicInteger();
  final AtomicInteger lifecycleConflict = new AtomicInteger();
  final AtomicInteger lifecycleFailed = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean running;

  SideLoad(LocalCluster cluster, double eventRate, double lifecycleRate, int components) {
    this.cluster = cluster;
    this.eventRate = eventRate;
    this.lifecycleRate = lifecycleRate;
    this.components = components;
  }

  static String componentId(int k) {
    return "partition-c" + k;
  }

  /**
   * Registers, through node 0, the components (simulated driver) and the scenario {@value
   * #SCENARIO}, triggered by the events sent here: without a scenario to hand it to, the singleton
   * acknowledges an event without journaling it. Its conditions never hold (two time windows
   * that do not meet), so the singleton journals each event and its dispatch but starts no run:
   * runs of one scenario all go through its one entity, which a few per second overload here.
   */
  void register() throws IOException, InterruptedException {
    put("/api/v1/scenarios/" + SCENARIO,
        "{\"name\":\"" + SCENARIO + "\",\"trigger\":{\"type\":\"event\",\"event\":"
            + "{\"type\":\"" + EVENT_TYPE + "\"}},\"conditions\":{\"all\":["
            + "{\"time\":{\"between\":[\"00:00\",\"12:00\"]}},"
            + "{\"time\":{\"between\":[\"12:00\",\"00:00\"]}}]},"
            + "\"actions\":[{\"type\":\"log_event\",\"message\":\"never runs\"}]}");
    for (int k = 0; k < components; k++) {
      put("/api/v1/components/" + componentId(k), Api.componentBody("partition", "1s", null));
    }
  }

  private void put(String path, String body) throws IOException, InterruptedException {
    HttpRequest put = request(0, path).PUT(HttpRequest.BodyPublishers.ofString(body)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      HttpResponse<String> r = http.send(put, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200 || r.statusCode() == 201) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("PUT " + path + " -> " + r.statusCode() + " " + r.body());
      }
      Thread.sleep(500);
    }
  }

  void start() {
    running = true;
    if (eventRate > 0) {
      timer.scheduleAtFixedRate(
          this::sendEvent, 0, Math.round(1e9 / eventRate), TimeUnit.NANOSECONDS);
    }
    if (lifecycleRate > 0 && components > 0) {
      timer.scheduleAtFixedRate(
          this::sendLifecycle, 0, Math.round(1e9 / lifecycleRate), TimeUnit.NANOSECONDS);
    }
  }

  /** No new requests; waits (at most 20 s) until those under way are answered or timed out. */
  void stop() throws InterruptedException {
    running = false;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }

  private void sendEvent() {
    if (!running) {
      return;
    }
    int seq = eventSeq.getAndIncrement();
    String body =
        "{\"type\":\"" + EVENT_TYPE + "\",\"source\":\"bench\",\"data\":{\"seq\":" + seq + "}}";
    eventsSent.incrementAndGet();
    inFlight.incrementAndGet();
    http.sendAsync(
            request(seq % cluster.size(), "/api/v1/events")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (r, failure) -> {
              inFlight.decrementAndGet();
              try {
                if (failure == null && r.statusCode() == 202) {
                  com.fasterxml.jackson.databind.JsonNode accepted = Api.parse(r.body());
                  if (accepted.path("matched").isEmpty()) {
                    unmatchedAcks.add(System.nanoTime());
                  } else {
                    ackedEvents.add(accepted.path("eventId").asText());
                  }
                  return;
                }
              } catch (IOException e) {
                // counted below
              }
              eventsRefused.incrementAndGet();
            });
  }

  private void sendLifecycle() {
    if (!running) {
      return;
    }
    int seq = lifecycleSeq.getAndIncrement();
    int component = seq % components;
    String command = COMMANDS.get((seq / components) % COMMANDS.size());
    lifecycleSent.incrementAndGet();
    inFlight.incrementAndGet();
    http.sendAsync(
            request(seq % cluster.size(), "/api/v1/components/" + componentId(component) + "/lifecycle")
                .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"" + command + "\"}"))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .whenComplete(
            (r, failure) -> {
              inFlight.decrementAndGet();
              if (failure == null && r.statusCode() == 202) {
                lifecycleAccepted.incrementAndGet();
              } else if (failure == null && r.statusCode() == 409) {
                lifecycleConflict.incrementAndGet();
              } else {
                lifecycleFailed.incrementAndGet();
              }
            });
  }

  private HttpRequest.Builder request(int node, String path) {
    return HttpRequest.newBuilder(
            URI.create("http://" + cluster.host(node) + ":" + cluster.httpPort(node) + path))
        .timeout(Duration.ofSeconds(15))
        .header("Authorization", "Bearer " + cluster.token())
        .header("Content-Type", "application/json");
  }

  @Override
  public void close() {
    running = false;
    timer.shutdownNow();
  }
}
