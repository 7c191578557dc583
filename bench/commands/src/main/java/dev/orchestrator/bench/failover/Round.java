package dev.orchestrator.bench.failover;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One round: find the singleton's node (GET /api/v1/cluster), kill -9 it, time until a survivor's
 * GET /api/v1/cluster names a live singleton elsewhere, restart the killed node and wait until it is
 * an Up member again. The command figures of the round come from {@link Load}'s record.
 */
final class Round {
  private static final Duration POLL_TIMEOUT = Duration.ofSeconds(10);
  private static final long OPEN_POLL_MS = 100;

  final int number;
  int victim;
  String newHost;
  long killNanos;
  long killEpochMs;
  long singletonNanos;
  long retryNanos;
  long restartNanos;
  long upNanos;

  private Round(int number) {
    this.number = number;
  }

  static Round run(int number, LocalCluster cluster, long recoveryTimeoutMs) throws Exception {
    Round r = new Round(number);
    r.victim = singletonHost(cluster);
    r.killNanos = System.nanoTime();
    r.killEpochMs = System.currentTimeMillis();
    cluster.kill9(r.victim);
    r.awaitSingletonElsewhere(cluster, recoveryTimeoutMs);
    r.restartNanos = System.nanoTime();
    cluster.startNode(r.victim, true);
    cluster.awaitReady(r.victim);
    awaitAllUp(cluster, 0, 180);
    r.upNanos = System.nanoTime();
    return r;
  }

  /** The index of the node that hosts the singleton now, as node 0 (or the next live one) says. */
  static int singletonHost(LocalCluster cluster) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = "";
    while (System.nanoTime() < deadline) {
      for (int i = 0; i < cluster.size(); i++) {
        try {
          JsonNode view = cluster.get(i, "/api/v1/cluster", POLL_TIMEOUT);
          int host = cluster.indexOf(view.path("singleton").path("address").asText(""));
          if (host >= 0) {
            return host;
          }
          last = view.toString();
        } catch (IOException e) {
          last = e.toString();
        }
      }
      Thread.sleep(200);
    }
    throw new IOException("no node says where the singleton is: " + last);
  }

  /**
   * Two kinds of polls of every survivor's GET /api/v1/cluster, whose gateway asks the singleton
   * through its proxy (WhereAreYou). Open loop: a new request every {@link #OPEN_POLL_MS} whatever
   * is still under way, so the first answer naming another node is the moment the new singleton
   * answers (within that period): {@link #singletonNanos}. Closed loop: one request at a time per
   * survivor, as a client that asks at the kill and asks again when it gets no answer; until the
   * dead member is removed its proxy still sends to the old singleton and the request waits out
   * the gateway's ask timeout (5 s): {@link #retryNanos}.
   */
  private void awaitSingletonElsewhere(LocalCluster cluster, long timeoutMs) throws Exception {
    String dead = cluster.address(victim);
    AtomicLong open = new AtomicLong();
    AtomicLong closed = new AtomicLong();
    AtomicInteger where = new AtomicInteger(-1);
    long deadline = killNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    ExecutorService requests = Executors.newCachedThreadPool(daemon());
    ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(daemon());
    List<Thread> pollers = new ArrayList<>();
    try {
      for (int i = 0; i < cluster.size(); i++) {
        if (i == victim) {
          continue;
        }
        int node = i;
        Thread t =
            new Thread(
                () -> {
                  while (closed.get() == 0 && System.nanoTime() < deadline) {
                    if (!poll(cluster, node, dead, closed, null)) {
                      sleep(50);
                    }
                  }
                },
                "poll-" + i);
        t.setDaemon(true);
        t.start();
        pollers.add(t);
      }
      CountDownLatch openAnswered = new CountDownLatch(1);
      ticks.scheduleAtFixedRate(
          () -> {
            for (int i = 0; i < cluster.size(); i++) {
              int node = i;
              if (node != victim) {
                requests.execute(
                    () -> {
                      if (poll(cluster, node, dead, open, where) && open.get() != 0) {
                        openAnswered.countDown();
                      }
                    });
              }
            }
          },
          0,
          OPEN_POLL_MS,
          TimeUnit.MILLISECONDS);
      openAnswered.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      ticks.shutdownNow();
      for (Thread t : pollers) {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1000));
      }
    } finally {
      requests.shutdownNow();
      ticks.shutdownNow();
    }
    if (open.get() == 0 || closed.get() == 0) {
      throw new IOException(
          "round " + number + ": the singleton did not answer on a survivor within " + timeoutMs
              + " ms of the kill");
    }
    singletonNanos = open.get();
    retryNanos = closed.get();
    newHost = cluster.address(where.get());
  }

  /** One GET /api/v1/cluster on {@code node}: notes the first answer naming another live node. */
  private static boolean poll(
      LocalCluster cluster, int node, String dead, AtomicLong found, AtomicInteger where) {
    try {
      JsonNode view = cluster.get(node, "/api/v1/cluster", POLL_TIMEOUT);
      long now = System.nanoTime();
      String address = view.path("singleton").path("address").asText("");
      int host = cluster.indexOf(address);
      if (host >= 0 && !address.equals(dead) && found.compareAndSet(0, now) && where != null) {
        where.set(host);
      }
      return true;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static ThreadFactory daemon() {
    return r -> {
      Thread t = new Thread(r, "open-poll");
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Waits until node {@code via} sees every node as an Up member; an IOException after {@code
   * seconds}.
   */
  static void awaitAllUp(LocalCluster cluster, int via, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    String last = "";
    while (true) {
      try {
        JsonNode view = cluster.get(via, "/api/v1/cluster", POLL_TIMEOUT);
        int up = 0;
        for (JsonNode m : view.path("members")) {
          up += m.path("status").asText().equals("Up") ? 1 : 0;
        }
        if (up == cluster.size() && view.path("members").size() == cluster.size()) {
          return;
        }
        last = view.toString();
      } catch (IOException e) {
        last = e.toString();
      }
      if (System.nanoTime() >= deadline) {
        break;
      }
      Thread.sleep(200);
    }
    throw new IOException("the cluster did not come back to " + cluster.size() + " Up: " + last);
  }

  double recoveryMs() {
    return (singletonNanos - killNanos) / 1e6;
  }

  /** Kill to the answer of a client that asked at the kill, one request at a time. */
  double retryMs() {
    return (retryNanos - killNanos) / 1e6;
  }

  /** The round's command figures from the submits sent between the kill and the node back Up. */
  Map<String, Object> figures(List<Load.Submit> submits) {
    long firstAck = Long.MAX_VALUE;
    long longestWait = 0;
    int sent = 0;
    int refused = 0;
    for (Load.Submit s : submits) {
      if (s.sentNanos < killNanos || s.sentNanos > upNanos) {
        continue;
      }
      sent++;
      if (s.acked()) {
        firstAck = Math.min(firstAck, s.ackNanos - killNanos);
        longestWait = Math.max(longestWait, s.ackNanos - s.sentNanos);
      } else {
        refused++;
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("round", number);
    m.put("killed", victim);
    m.put("singletonAnsweredMs", Math.round(recoveryMs()));
    m.put("askedAtKillAnsweredMs", Math.round(retryMs()));
    m.put("newSingletonHost", newHost);
    m.put("firstAckAfterKillMs", firstAck == Long.MAX_VALUE ? null : Math.round(firstAck / 1e6));
    m.put("longestSubmitToAckMs", Math.round(longestWait / 1e6));
    m.put("restartToUpMs", Math.round((upNanos - restartNanos) / 1e6));
    m.put("submitted", sent);
    m.put("notAcknowledged", refused);
    return m;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
