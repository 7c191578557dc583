package dev.orchestrator.bench.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Drives the orchestrator over HTTP ({@code POST /api/v1/commands}, HTTP/1.1 keep-alive) and reads
 * what it persisted from {@code event_journal}. Every request goes to 127.0.0.1.
 */
final class OrchestratorBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  private final URI commands;
  private final URI base;
  private final String token;
  private final Journal journal;
  private final BooleanSupplier alive;
  private final long completeTimeoutMs;
  private final String runId;
  private final boolean raw;

  /** At most this many paced submits waiting for their answer; beyond it a submit is skipped. */
  static final int MAX_IN_FLIGHT = 1000;

  OrchestratorBench(
      URI base,
      String token,
      Journal journal,
      BooleanSupplier alive,
      long completeTimeoutMs,
      String runId,
      String httpClient) {
    if (!"127.0.0.1".equals(base.getHost())) {
      throw new IllegalArgumentException("the bench only talks to 127.0.0.1, not " + base);
    }
    this.base = base;
    this.commands = base.resolve("/api/v1/commands");
    this.token = token;
    this.journal = journal;
    this.alive = alive;
    this.completeTimeoutMs = completeTimeoutMs;
    this.runId = runId;
    this.raw = httpClient.equals("raw");
  }

  /** One submitter's connection: the JDK HttpClient or {@link RawHttp}. */
  private interface Submitter extends AutoCloseable {
    /** The command id, or null with {@code error} saying why. */
    String submit(String phase, int i, StringBuilder error) throws InterruptedException;

    /** Commands {@code from..to-1} as one batch: their ids (null where refused, see error). */
    String[] submitBatch(String phase, int from, int to, StringBuilder error)
        throws InterruptedException;

    @Override
    void close();
  }

  private Submitter submitter() {
    if (raw) {
      RawHttp http = new RawHttp(base.getPort(), (int) REQUEST_TIMEOUT.toMillis());
      return new Submitter() {
        @Override
        public String submit(String phase, int i, StringBuilder error) {
          try {
            RawHttp.Response r = http.post("/api/v1/commands", token, body(phase, i));
            return idOf(r.status(), r.body(), error);
          } catch (IOException e) {
            error.append(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
            return null;
          }
        }

        @Override
        public String[] submitBatch(String phase, int from, int to, StringBuilder error) {
          try {
            RawHttp.Response r = http.post("/api/v1/commands", token, batchBody(phase, from, to));
            return idsOf(r.status(), r.body(), to - from, error);
          } catch (IOException e) {
            error.append(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
            return new String[to - from];
          }
        }

        @Override
        public void close() {
          http.close();
        }
      };
    }
    HttpClient client = newClient();
    return new Submitter() {
      @Override
      public String submit(String phase, int i, StringBuilder error) throws InterruptedException {
        try {
          HttpResponse<String> r = client.send(request(phase, i), HttpResponse.BodyHandlers.ofString());
          return idOf(r.statusCode(), r.body(), error);
        } catch (IOException e) {
          error.append(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
          return null;
        }
      }

      @Override
      public String[] submitBatch(String phase, int from, int to, StringBuilder error)
          throws InterruptedException {
        try {
          HttpRequest request =
              HttpRequest.newBuilder(commands)
                  .timeout(REQUEST_TIMEOUT)
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(batchBody(phase, from, to)))
                  .build();
          HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
          return idsOf(r.statusCode(), r.body(), to - from, error);
        } catch (IOException e) {
          error.append(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
          return new String[to - from];
        }
      }

      @Override
      public void close() {}
    };
  }

  private String body(String phase, int i) {
    return "{\"name\":\"noop\",\"input\":{\"bench\":\"" + runId + "\",\"phase\":\"" + phase + "\",\"i\":" + i + "}}";
  }

  private String batchBody(String phase, int from, int to) {
    StringBuilder body = new StringBuilder("[");
    for (int i = from; i < to; i++) {
      body.append(i == from ? "" : ",").append(body(phase, i));
    }
    return body.append(']').toString();
  }

  /** The ids of a batch answer (202 or 207), in request order; null for each refused one. */
  private static String[] idsOf(int status, String body, int count, StringBuilder error) {
    String[] ids = new String[count];
    if (status != 202 && status != 207) {
      error.append("HTTP ").append(status).append(": ").append(abbreviate(body));
      return ids;
    }
    try {
      JsonNode items = JSON.readTree(body).path("items");
      for (int k = 0; k < count && k < items.size(); k++) {
        JsonNode id = items.get(k).get("id");
        if (id != null && !id.isNull()) {
          ids[k] = id.asText();
        } else if (error.length() == 0) {
          error.append(abbreviate(items.get(k).toString()));
        }
      }
    } catch (IOException e) {
      error.append("HTTP ").append(status).append(", body not JSON: ").append(abbreviate(body));
    }
    return ids;
  }

  static HttpClient newClient() {
    return HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  private HttpRequest request(String phase, int i) {
    String body = body(phase, i);
    return HttpRequest.newBuilder(commands)
        .timeout(REQUEST_TIMEOUT)
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
  }

  /** The command id of an accepted submit, or null (then {@code error} says why). */
  private static String idOf(int status, String body, StringBuilder error) {
    if (status / 100 != 2) {
      error.append("HTTP ").append(status).append(": ").append(abbreviate(body));
      return null;
    }
    try {
      JsonNode node = JSON.readTree(body);
      JsonNode id = node.get("id");
      if (id == null || id.asText().isEmpty()) {
        error.append("HTTP ").append(status).append(" without id: ").append(abbreviate(body));
        return null;
      }
      return id.asText();
    } catch (IOException e) {
      error.append("HTTP ").append(status).append(", body not JSON: ").append(abbreviate(body));
      return null;
    }
  }

  static String abbreviate(String s) {
    if (s == null) {
      return "";
    }
    String one = s.replaceAll("\\s+", " ");
    return one.length() > 200 ? one.substring(0, 200) + "..." : one;
  }

  /**
   * Submits {@code n} noop commands from {@code clients} threads, each with its own HttpClient
   * (HTTP/1.1, one keep-alive connection), then waits until each accepted one has a Succeeded
   * event in the journal. Throughput = n / (first send → max Succeeded write_timestamp).
   */
  Results.Burst burst(String phase, int n, int clients, int batch) throws Exception {
    long startOrdering = journal.maxOrdering();
    String[] ids = new String[n];
    long[] sendMs = new long[n];
    long[] ackMs = new long[n];
    double[] ackLatency = new double[n];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger errors = new AtomicInteger();
    List<String> samples = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(clients, daemon("orch-client"));
    for (int c = 0; c < clients; c++) {
      pool.execute(
          () -> {
            try (Submitter submitter = submitter()) {
             if (batch > 1) {
              int from;
              while ((from = next.getAndAdd(batch)) < n) {
                int to = Math.min(n, from + batch);
                long sent = System.currentTimeMillis();
                long t0 = System.nanoTime();
                StringBuilder error = new StringBuilder();
                String[] got;
                try {
                  got = submitter.submitBatch(phase, from, to, error);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                long t1 = System.nanoTime();
                long acked = System.currentTimeMillis();
                for (int i = from; i < to; i++) {
                  sendMs[i] = sent;
                  ackMs[i] = acked;
                  ackLatency[i] = (t1 - t0) / 1e6;
                  ids[i] = got[i - from];
                  if (ids[i] == null) {
                    errors.incrementAndGet();
                    if (samples.size() < 5) {
                      samples.add(error.toString());
                    }
                  }
                }
              }
              return;
             }
             int i;
             while ((i = next.getAndIncrement()) < n) {
              sendMs[i] = System.currentTimeMillis();
              long t0 = System.nanoTime();
              StringBuilder error = new StringBuilder();
              try {
                ids[i] = submitter.submit(phase, i, error);
                long t1 = System.nanoTime();
                ackMs[i] = System.currentTimeMillis();
                ackLatency[i] = (t1 - t0) / 1e6;
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
              }
              if (ids[i] == null) {
                errors.incrementAndGet();
                if (samples.size() < 5) {
                  samples.add(error.toString());
                }
              }
             }
            }
          });
    }
    pool.shutdown();
    if (!pool.awaitTermination(completeTimeoutMs, TimeUnit.MILLISECONDS)) {
      pool.shutdownNow();
      System.out.println("  submits did not finish in time; stopped them");
    }

    Results.Burst b = new Results.Burst();
    b.n = n;
    b.errors = errors.get();
    b.errorSamples.addAll(samples);
    List<String> accepted = new ArrayList<>(n);
    double[] lat = new double[n];
    long first = Long.MAX_VALUE;
    long lastAck = 0;
    for (int i = 0; i < n; i++) {
      if (sendMs[i] > 0) {
        first = Math.min(first, sendMs[i]);
      }
      if (ids[i] != null) {
        lat[accepted.size()] = ackLatency[i];
        accepted.add(ids[i]);
        lastAck = Math.max(lastAck, ackMs[i]);
      }
    }
    b.acked = accepted.size();
    b.firstSubmitMs = first == Long.MAX_VALUE ? 0 : first;
    b.lastAckMs = lastAck;
    b.ackLatency = Stats.of(lat, accepted.size());
    if (accepted.isEmpty()) {
      return b;
    }
    System.out.printf(
        "  %s: %d accepted (%d errors) in %.2f s; waiting for Succeeded in the journal%n",
        phase, b.acked, b.errors, (lastAck - b.firstSubmitMs) / 1000.0);
    Map<String, Journal.Times> times =
        journal.awaitSucceeded(accepted, startOrdering, completeTimeoutMs, alive, phase);
    long lastDone = 0;
    int done = 0;
    for (Journal.Times t : times.values()) {
      if (t.succeededMs() > 0) {
        done++;
        lastDone = Math.max(lastDone, t.succeededMs());
      }
    }
    b.done = done;
    b.lastDoneMs = lastDone;
    return b;
  }

  /**
   * Open loop: a timer thread fires {@code rate} submits per second for {@code seconds}, each at its
   * planned time whatever the earlier ones are doing (sendAsync), and records the send time in epoch
   * ms. Then reads AttemptStarted / Succeeded write_timestamps from the journal.
   */
  Results.Paced paced(int rate, int seconds) throws Exception {
    long startOrdering = journal.maxOrdering();
    int planned = rate * seconds;
    String[] ids = new String[planned];
    // Send time = the planned fire time, in epoch ms with a fraction (an Instant taken next to a
    // nanoTime reading anchors the two clocks), so that a late timer cannot hide latency.
    double[] sendMs = new double[planned];
    double[] lag = new double[planned];
    double[] ackLatency = new double[planned];
    AtomicInteger errors = new AtomicInteger();
    List<String> samples = java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch answered = new CountDownLatch(planned);
    java.util.concurrent.Semaphore inFlight = new java.util.concurrent.Semaphore(MAX_IN_FLIGHT);
    AtomicInteger skipped = new AtomicInteger();
    // What to do with an answer (or a failure), whichever client sent it.
    interface Done {
      void done(int idx, long target, String id, String error);
    }
    Done finish =
        (idx, target, id, error) -> {
          ackLatency[idx] = (System.nanoTime() - target) / 1e6;
          ids[idx] = id;
          if (id == null) {
            errors.incrementAndGet();
            if (samples.size() < 5) {
              samples.add(error);
            }
          }
          inFlight.release();
          answered.countDown();
        };
    // jdk: one HttpClient, sendAsync (it opens connections as needed). raw: a pool of RawHttp
    // connections, each request on a thread of a cached pool, so a slow answer blocks no other.
    ExecutorService workers =
        raw ? Executors.newCachedThreadPool(daemon("orch-paced")) : Executors.newFixedThreadPool(4, daemon("orch-paced"));
    java.util.concurrent.ConcurrentLinkedQueue<RawHttp> idle = new java.util.concurrent.ConcurrentLinkedQueue<>();
    HttpClient client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(workers)
            .build();
    // Open the first connections before the clock starts.
    if (raw) {
      for (int c = 0; c < 4; c++) {
        idle.add(new RawHttp(base.getPort(), (int) REQUEST_TIMEOUT.toMillis()));
      }
    } else {
      warmConnections(client, 4);
    }
    long anchorNs = System.nanoTime();
    Instant anchor = Instant.now();
    double anchorMs = anchor.getEpochSecond() * 1000.0 + anchor.getNano() / 1e6;
    long t0 = anchorNs + 200_000_000L;
    int sent = 0;
    for (int i = 0; i < planned; i++) {
      long target = t0 + (long) i * 1_000_000_000L / rate;
      Machine.parkUntil(target);
      long sendNs = System.nanoTime();
      sendMs[i] = anchorMs + (target - anchorNs) / 1e6;
      lag[i] = (sendNs - target) / 1e6;
      final int idx = i;
      if (!inFlight.tryAcquire()) {
        skipped.incrementAndGet();
        errors.incrementAndGet();
        if (samples.size() < 5) {
          samples.add("skipped: " + MAX_IN_FLIGHT + " submits already waiting for an answer");
        }
        answered.countDown();
        continue;
      }
      if (raw) {
        workers.execute(
            () -> {
              RawHttp http = idle.poll();
              if (http == null) {
                http = new RawHttp(base.getPort(), (int) REQUEST_TIMEOUT.toMillis());
              }
              StringBuilder error = new StringBuilder();
              String id = null;
              try {
                RawHttp.Response r = http.post("/api/v1/commands", token, body("paced", idx));
                id = idOf(r.status(), r.body(), error);
              } catch (IOException e) {
                error.append(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
              }
              idle.add(http);
              finish.done(idx, target, id, error.toString());
            });
      } else {
        client
            .sendAsync(request("paced", idx), HttpResponse.BodyHandlers.ofString())
            .whenComplete(
                (r, e) -> {
                  StringBuilder error = new StringBuilder();
                  String id = null;
                  if (e != null) {
                    error.append(e.getClass().getSimpleName()).append(": ").append(e.getMessage());
                  } else {
                    id = idOf(r.statusCode(), r.body(), error);
                  }
                  finish.done(idx, target, id, error.toString());
                });
      }
      sent++;
    }
    if (!answered.await(REQUEST_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS)) {
      System.out.println("  paced: some submits got no answer in time");
    }
    workers.shutdown();
    idle.forEach(RawHttp::close);
    if (skipped.get() > 0) {
      System.out.printf("  paced: %d submits skipped (more than %d waiting for an answer)%n", skipped.get(), MAX_IN_FLIGHT);
    }

    Results.Paced p = new Results.Paced();
    p.planned = planned;
    p.sent = sent;
    p.errors = errors.get();
    p.errorSamples.addAll(samples);
    p.timerLag = Stats.of(lag, sent);
    List<String> accepted = new ArrayList<>();
    List<Integer> index = new ArrayList<>();
    double[] ack = new double[planned];
    for (int i = 0; i < planned; i++) {
      if (ids[i] != null) {
        ack[accepted.size()] = ackLatency[i];
        accepted.add(ids[i]);
        index.add(i);
      }
    }
    p.acked = accepted.size();
    p.ackLatency = Stats.of(ack, accepted.size());
    if (accepted.isEmpty()) {
      return p;
    }
    System.out.printf("  paced: %d accepted (%d errors); waiting for Succeeded in the journal%n", p.acked, p.errors);
    Map<String, Journal.Times> times =
        journal.awaitSucceeded(accepted, startOrdering, completeTimeoutMs, alive, "paced");
    double[] toStart = new double[accepted.size()];
    double[] toDone = new double[accepted.size()];
    int started = 0;
    int done = 0;
    for (int k = 0; k < accepted.size(); k++) {
      Journal.Times t = times.get(accepted.get(k));
      double send = sendMs[index.get(k)];
      if (t != null && t.firstStartMs() > 0) {
        toStart[started++] = t.firstStartMs() - send;
      }
      if (t != null && t.succeededMs() > 0) {
        toDone[done++] = t.succeededMs() - send;
      }
    }
    p.completed = done;
    p.submitToComplete = Stats.of(toDone, done);
    p.completeSource = "Succeeded write_timestamp (ms) - planned send time";
    if (started > 0) {
      p.started = started;
      p.submitToStart = Stats.of(toStart, started);
      p.startSource = "AttemptStarted write_timestamp (ms) - planned send time";
    } else {
      // No AttemptStarted in the journal: fall back to the entity's startedAt (read after the run).
      System.out.println("  paced: no AttemptStarted events in the journal; reading startedAt over HTTP");
      started = startedAtFallback(client, accepted, index, sendMs, toStart);
      p.started = started;
      p.submitToStart = Stats.of(toStart, started);
      p.startSource = "GET startedAt - planned send time (no AttemptStarted event found)";
    }
    return p;
  }

  private int startedAtFallback(
      HttpClient client, List<String> accepted, List<Integer> index, double[] sendMs, double[] out)
      throws InterruptedException {
    int n = 0;
    long deadline = System.currentTimeMillis() + 120_000;
    for (int k = 0; k < accepted.size() && System.currentTimeMillis() < deadline; k++) {
      HttpRequest get =
          HttpRequest.newBuilder(commands.resolve("/api/v1/commands/" + accepted.get(k)))
              .timeout(Duration.ofSeconds(10))
              .header("Authorization", "Bearer " + token)
              .GET()
              .build();
      try {
        HttpResponse<String> r = client.send(get, HttpResponse.BodyHandlers.ofString());
        JsonNode s = r.statusCode() == 200 ? JSON.readTree(r.body()).get("startedAt") : null;
        if (s != null && !s.isNull()) {
          out[n++] = Instant.parse(s.asText()).toEpochMilli() - sendMs[index.get(k)];
        }
      } catch (IOException | RuntimeException e) {
        // leave it out
      }
    }
    return n;
  }

  private void warmConnections(HttpClient client, int count) {
    List<java.util.concurrent.CompletableFuture<HttpResponse<Void>>> f = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      f.add(
          client.sendAsync(
              HttpRequest.newBuilder(base.resolve("/health/ready")).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.discarding()));
    }
    for (var x : f) {
      try {
        x.get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        // only a warm-up
      }
    }
  }

  static java.util.concurrent.ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** One submit before the measurement: null when it is accepted, else what went wrong. */
  String probe() {
    HttpClient client = newClient();
    try {
      HttpResponse<String> r = client.send(request("probe", 0), HttpResponse.BodyHandlers.ofString());
      StringBuilder error = new StringBuilder();
      return idOf(r.statusCode(), r.body(), error) == null ? error.toString() : null;
    } catch (IOException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
