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
import java.util.List;

/**
 * Watches who runs the orchestrator singleton, from two sides, for the whole partition run:
 *
 * <ul>
 *   <li>every node's {@code GET /api/v1/cluster}, asked by a poller per node on one keep-alive
 *       connection ({@link Api}), one request at a time, {@code pollMs} apart (a gateway
 *       whose proxy knows no singleton holds the request until one answers or its ask timeout
 *       ends, so a held request is answered as soon as a new singleton is found). An answer
 *       naming a node is a {@link Claim}: that node's singleton instance answered {@code
 *       WhereAreYou} between sending and receiving;
 *   <li>the {@code leases} table (owner and epoch of the singleton's lease), read every 100 ms on a
 *       connection of the bench; each change is a {@link LeaseChange}.
 * </ul>
 *
 * Times are System.nanoTime().
 */
final class SingletonWatch implements AutoCloseable {
  /** Node {@code node}'s gateway answered that the singleton runs on {@code host} (-1: none). */
  record Claim(int node, long sent, long received, int host) {}

  /** From {@code at} the singleton's lease was held by {@code owner} (-1: free) with epoch. */
  record LeaseChange(long at, int owner, long epoch) {}

  static final long LEASE_POLL_MS = 100;

  private final LocalCluster cluster;
  private final String jdbcUrl;
  private final long pollMs;
  private volatile boolean running = true;
  private final List<Claim> claims = new ArrayList<>();
  private final List<LeaseChange> leases = new ArrayList<>();
  private volatile long leaseReadErrors;

  SingletonWatch(LocalCluster cluster, String jdbcUrl, long pollMs) {
    this.cluster = cluster;
    this.jdbcUrl = jdbcUrl;
    this.pollMs = pollMs;
  }

  void start() {
    for (int i = 0; i < cluster.size(); i++) {
      int node = i;
      Thread t = new Thread(() -> pollNode(node), "watch-" + i);
      t.setDaemon(true);
      t.start();
    }
    Thread lease = new Thread(this::pollLease, "lease-watch");
    lease.setDaemon(true);
    lease.start();
  }

  private void pollNode(int node) {
    try (Api api = new Api(cluster.host(node), cluster.httpPort(node), cluster.token())) {
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
    synchronized (this) {
      claims.add(new Claim(node, sent, received, host));
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

  @Override
  public void close() {
    running = false;
  }
}
