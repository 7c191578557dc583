package dev.orchestrator.bench.failover;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.bench.commands.Api;
import dev.orchestrator.bench.commands.RawHttp;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Watches who runs the orchestrator singleton, from two sides, for the whole partition run:
 *
 * <ul>
 *   <li>every node's {@code GET /api/v1/cluster}, asked by two pollers per node, each on one
 *       keep-alive connection ({@link Api}), one request at a time, {@code pollMs} apart (a gateway
 *       whose proxy knows no singleton holds the request until one answers or its ask timeout
 *       ends, so a held request is answered as soon as a new singleton is found). An answer
 *       naming a node is a {@link Claim}: that node's singleton instance answered {@code
 *       WhereAreYou} between sending and receiving. The members and their status as the node saw
 *       them when the request arrived are kept as a {@link View};
 *   <li>the {@code leases} table (owner and epoch of the singleton's lease), read every 100 ms on a
 *       connection of the bench; each change is a {@link LeaseChange}.
 * </ul>
 *
 * Times are System.nanoTime().
 */
final class SingletonWatch implements AutoCloseable {
  /** Node {@code node}'s gateway answered that the singleton runs on {@code host} (-1: none). */
  record Claim(int node, long sent, long received, int host) {}

  /** Node {@code node}'s members (index to status; absent: not a member) from time {@code at}. */
  record View(int node, long at, Map<Integer, String> statuses) {}

  /** From {@code at} the singleton's lease was held by {@code owner} (-1: free) with epoch. */
  record LeaseChange(long at, int owner, long epoch) {}

  static final long LEASE_POLL_MS = 100;
  private static final int POLLERS_PER_NODE = 2;

  private final LocalCluster cluster;
  private final String jdbcUrl;
  private final long pollMs;
  private volatile boolean running = true;
  private final List<Claim> claims = new ArrayList<>();
  private final List<View> views = new ArrayList<>();
  private final List<LeaseChange> leases = new ArrayList<>();
  private volatile long leaseReadErrors;

  SingletonWatch(LocalCluster cluster, String jdbcUrl, long pollMs) {
    this.cluster = cluster;
    this.jdbcUrl = jdbcUrl;
    this.pollMs = pollMs;
  }

  void start() {
    for (int i = 0; i < cluster.size(); i++) {
      for (int k = 0; k < POLLERS_PER_NODE; k++) {
        int node = i;
        long offset = pollMs * k / POLLERS_PER_NODE;
        Thread t = new Thread(() -> pollNode(node, offset), "watch-" + i + "-" + k);
        t.setDaemon(true);
        t.start();
      }
    }
    Thread lease = new Thread(this::pollLease, "lease-watch");
    lease.setDaemon(true);
    lease.start();
  }

  private void pollNode(int node, long offsetMs) {
    try (Api api = new Api(cluster.host(node), cluster.httpPort(node), cluster.token())) {
      Thread.sleep(offsetMs);
      while (running) {
        if (cluster.alive(node)) {
          long sent = System.nanoTime();
          try {
            RawHttp.Response r = api.get("/api/v1/cluster");
            if (r.status() == 200) {
              record(node, sent, System.nanoTime(), r.body());
            }
          } catch (IOException e) {
            // not listening, reset, or no answer within the socket timeout: asked again below
          }
        }
        Thread.sleep(pollMs);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void record(int node, long sent, long received, String body) {
    JsonNode view;
    try {
      view = Api.parse(body);
    } catch (IOException e) {
      return;
    }
    int host = cluster.indexOf(view.path("singleton").path("address").asText(""));
    Map<Integer, String> statuses = new LinkedHashMap<>();
    for (JsonNode m : view.path("members")) {
      int k = cluster.indexOf(m.path("address").asText());
      if (k >= 0) {
        statuses.put(k, m.path("status").asText());
      }
    }
    synchronized (this) {
      claims.add(new Claim(node, sent, received, host));
      views.add(new View(node, sent, statuses));
    }
  }

  private void pollLease() {
    while (running) {
      try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "");
          PreparedStatement s =
              c.prepareStatement(
                  "SELECT owner, epoch FROM leases WHERE name LIKE '%singletonManager%'"
                      + " ORDER BY epoch DESC LIMIT 1")) {
        while (running) {
          long at = System.nanoTime();
          try (ResultSet rs = s.executeQuery()) {
            if (rs.next()) {
              String owner = rs.getString(1);
              int index = owner == null ? -1 : cluster.indexOf("akka://" + owner);
              noteLease(at, index, rs.getLong(2));
            }
          }
          Thread.sleep(LEASE_POLL_MS);
        }
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        leaseReadErrors++;
        try {
          Thread.sleep(500);
        } catch (InterruptedException ie) {
          return;
        }
      }
    }
  }

  private synchronized void noteLease(long at, int owner, long epoch) {
    LeaseChange last = leases.isEmpty() ? null : leases.get(leases.size() - 1);
    if (last == null || last.owner() != owner || last.epoch() != epoch) {
      leases.add(new LeaseChange(at, owner, epoch));
    }
  }

  synchronized List<Claim> claims() {
    return new ArrayList<>(claims);
  }

  synchronized List<View> views() {
    return new ArrayList<>(views);
  }

  synchronized List<LeaseChange> leases() {
    return new ArrayList<>(leases);
  }

  long leaseReadErrors() {
    return leaseReadErrors;
  }

  /** The latest lease state read, or null before the first read. */
  synchronized LeaseChange lease() {
    return leases.isEmpty() ? null : leases.get(leases.size() - 1);
  }

  /**
   * The first claim received after {@code after} by a node other than {@code excluded} naming a
   * node other than {@code excluded}; null if none yet.
   */
  synchronized Claim firstClaimElsewhere(long after, int excluded) {
    for (Claim c : claims) {
      if (c.received() > after && c.node() != excluded && c.host() >= 0 && c.host() != excluded) {
        return c;
      }
    }
    return null;
  }

  /**
   * When one of {@code observers} first saw {@code subject} with a status in {@code statuses}
   * ("" standing for not a member) after {@code after}; 0 if never.
   */
  synchronized long firstSeen(List<Integer> observers, int subject, List<String> statuses, long after) {
    for (View v : views) {
      if (v.at() > after && observers.contains(v.node())) {
        String s = Objects.requireNonNullElse(v.statuses().get(subject), "");
        if (statuses.contains(s)) {
          return v.at();
        }
      }
    }
    return 0;
  }

  @Override
  public void close() {
    running = false;
  }
}
