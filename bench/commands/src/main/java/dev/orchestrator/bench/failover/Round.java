package dev.orchestrator.bench.failover;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  final int number;
  int victim;
  String newHost;
  long killNanos;
  long singletonNanos;
  long restartNanos;
  long upNanos;

  private Round(int number) {
    this.number = number;
  }

  static Round run(int number, LocalCluster cluster, long recoveryTimeoutMs) throws Exception {
    Round r = new Round(number);
    r.victim = singletonHost(cluster);
    r.killNanos = System.nanoTime();
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
   * Every survivor asks GET /api/v1/cluster in a loop (one request at a time each). The gateway
   * asks the singleton through its proxy (WhereAreYou), which buffers while no singleton is known
   * and delivers once the new one is identified: the first answer naming another node is the
   * moment the singleton answers on a survivor.
   */
  private void awaitSingletonElsewhere(LocalCluster cluster, long timeoutMs) throws Exception {
    String dead = cluster.address(victim);
    AtomicLong found = new AtomicLong();
    AtomicInteger where = new AtomicInteger(-1);
    long deadline = killNanos + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    List<Thread> pollers = new ArrayList<>();
    for (int i = 0; i < cluster.size(); i++) {
      if (i == victim) {
        continue;
      }
      int node = i;
      Thread t =
          new Thread(
              () -> {
                while (found.get() == 0 && System.nanoTime() < deadline) {
                  try {
                    JsonNode view = cluster.get(node, "/api/v1/cluster", POLL_TIMEOUT);
                    long now = System.nanoTime();
                    String address = view.path("singleton").path("address").asText("");
                    int host = cluster.indexOf(address);
                    if (host >= 0 && !address.equals(dead) && found.compareAndSet(0, now)) {
                      where.set(host);
                    }
                  } catch (IOException e) {
                    sleep(50);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "poll-" + i);
      t.setDaemon(true);
      t.start();
      pollers.add(t);
    }
    for (Thread t : pollers) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1000));
    }
    if (found.get() == 0) {
      throw new IOException(
          "round " + number + ": the singleton did not answer on a survivor within " + timeoutMs
              + " ms of the kill");
    }
    singletonNanos = found.get();
    newHost = cluster.address(where.get());
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
