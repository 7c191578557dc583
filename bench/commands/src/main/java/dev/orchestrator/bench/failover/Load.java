package dev.orchestrator.bench.failover;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.bench.commands.Api;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Noop commands submitted continuously (open loop, paced at a rate), each to the next node in
 * turn. A submit that is refused (connection refused, reset, a 5xx such as the gateway's 503 when
 * an entity does not answer) is tried again on the next node after 100 ms with the same
 * idempotency key, so it can never become two commands; it counts as acknowledged only when a node
 * answers 202.
 */
final class Load implements AutoCloseable {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  /** One logical command. Times are System.nanoTime(). */
  static final class Submit {
    final int seq;
    final long sentNanos;
    volatile long ackNanos;
    volatile String id;
    volatile int tries;
    volatile boolean gaveUp;
    volatile String lastError;

    Submit(int seq, long sentNanos) {
      this.seq = seq;
      this.sentNanos = sentNanos;
    }

    boolean acked() {
      return id != null;
    }
  }

  private final LocalCluster cluster;
  private final String runTag;
  private final long giveUpNanos;
  private final long periodNanos;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .build();
  private final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
  private final List<Submit> submits = new ArrayList<>();
  private final AtomicInteger next = new AtomicInteger();
  private volatile boolean running;

  Load(LocalCluster cluster, String runTag, double rate, long giveUpMs) {
    this.cluster = cluster;
    this.runTag = runTag;
    this.giveUpNanos = TimeUnit.MILLISECONDS.toNanos(giveUpMs);
    this.periodNanos = Math.round(1e9 / rate);
  }

  void start() {
    running = true;
    timer.scheduleAtFixedRate(this::submitNext, 0, periodNanos, TimeUnit.NANOSECONDS);
  }

  /** No new submits; those under way go on until acknowledged or given up. */
  void stopSubmitting() {
    running = false;
  }

  /** Waits until every submit is acknowledged or given up (at most giveUp + a request). */
  void awaitSettled() throws InterruptedException {
    long deadline = System.nanoTime() + giveUpNanos + REQUEST_TIMEOUT.toNanos() * 2;
    while (System.nanoTime() < deadline) {
      if (snapshot().stream().allMatch(s -> s.acked() || s.gaveUp)) {
        return;
      }
      Thread.sleep(200);
    }
  }

  List<Submit> snapshot() {
    synchronized (submits) {
      return new ArrayList<>(submits);
    }
  }

  private void submitNext() {
    if (!running) {
      return;
    }
    int seq = next.getAndIncrement();
    Submit s = new Submit(seq, System.nanoTime());
    synchronized (submits) {
      submits.add(s);
    }
    attempt(s, seq % cluster.size());
  }

  private void attempt(Submit s, int node) {
    if (System.nanoTime() - s.sentNanos > giveUpNanos) {
      s.gaveUp = true;
      return;
    }
    s.tries++;
    String body =
        "{\"name\":\"noop\",\"input\":{\"seq\":"
            + s.seq
            + "},\"idempotencyKey\":\"failover-"
            + runTag
            + "-"
            + s.seq
            + "\"}";
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create(
                    "http://"
                        + cluster.host(node)
                        + ":"
                        + cluster.httpPort(node)
                        + "/api/v1/commands"))
            .timeout(REQUEST_TIMEOUT)
            .header("Authorization", "Bearer " + cluster.token())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    CompletableFuture<HttpResponse<String>> sent;
    try {
      sent = http.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    } catch (RuntimeException e) {
      retry(s, node, e.toString());
      return;
    }
    sent.whenComplete(
        (response, failure) -> {
          if (failure == null && response.statusCode() == 202) {
            long now = System.nanoTime();
            try {
              JsonNode accepted = Api.parse(response.body());
              s.ackNanos = now;
              s.id = accepted.path("id").asText();
            } catch (IOException e) {
              retry(s, node, "unreadable 202: " + response.body());
            }
          } else {
            retry(s, node, failure != null ? failure.toString() : response.statusCode() + "");
          }
        });
  }

  private void retry(Submit s, int node, String error) {
    s.lastError = error;
    timer.schedule(() -> attempt(s, (node + 1) % cluster.size()), 100, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    running = false;
    timer.shutdownNow();
  }
}
