package dev.orchestrator.bench.failover;

import dev.orchestrator.bench.failover.SingletonWatch.Claim;
import dev.orchestrator.bench.failover.SingletonWatch.LeaseChange;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * "Exactly one singleton at all times", checked on what {@link SingletonWatch} saw in a window:
 *
 * <ul>
 *   <li>a <b>tenure</b> is the answers naming one node under one epoch of the singleton's lease
 *       (the epoch of the lease that node held when the answer came, read every 100 ms, so a
 *       lag of two reads is allowed). An answer proves that the singleton it names ran at some
 *       moment between the request's sending and the answer's receipt, so a tenure's singleton
 *       surely ran from the receipt of its first answer to the sending of its last (the sure
 *       span; empty when they are the other way round);
 *   <li><b>two at once</b>: two tenures of different nodes whose sure spans intersect: one node's
 *       singleton answered a request sent after another's had answered, and that other one
 *       answered again later. The time between a request's sending and its answer is left out,
 *       because a loaded node or bench may deliver an answer seconds after it was made;
 *   <li><b>without the lease</b>: an answer naming a node that did not hold the lease at that
 *       moment (give or take two reads).
 * </ul>
 */
final class ClaimCheck {
  private static final long LAG = 2 * SingletonWatch.LEASE_POLL_MS * 1_000_000;

  /**
   * The answers naming {@code host} under {@code epoch} (-1: no lease of that host seen): {@code
   * first} the receipt of the first, {@code last} the sending of the last (the sure span), {@code
   * lastReceived} the receipt of the last.
   */
  record Tenure(int host, long epoch, long first, long last, long lastReceived, int answers) {}

  final List<Tenure> tenures = new ArrayList<>();
  final List<String> twoAtOnce = new ArrayList<>();
  final List<String> withoutLease = new ArrayList<>();
  int answers;
  int noSingleton;
  int twoAtOnceCount;
  int withoutLeaseCount;

  static ClaimCheck of(
      List<Claim> all, List<LeaseChange> leases, long from, long to, long origin) {
    ClaimCheck c = new ClaimCheck();
    List<Claim> claims =
        all.stream()
            .filter(x -> x.received() >= from && x.received() <= to)
            .sorted(Comparator.comparingLong(Claim::received))
            .toList();
    Map<String, long[]> spans = new LinkedHashMap<>();
    for (Claim x : claims) {
      c.answers++;
      if (x.host() < 0) {
        c.noSingleton++;
        continue;
      }
      long epoch = epochOf(leases, x.host(), x.received() + LAG);
      if (!heldDuring(leases, x.host(), x.sent() - LAG, x.received() + LAG)) {
        c.withoutLeaseCount++;
        c.note(
            c.withoutLease,
            String.format(
                Locale.ROOT,
                "+%.2f s node %d answered: singleton on node %d, whose lease was not held then",
                (x.received() - origin) / 1e9,
                x.node(),
                x.host()));
      }
      long[] span =
          spans.computeIfAbsent(
              x.host() + "/" + epoch,
              k -> new long[] {x.host(), epoch, x.received(), Long.MIN_VALUE, 0, 0});
      span[3] = Math.max(span[3], x.sent());
      span[4] = x.received();
      span[5]++;
    }
    for (long[] s : spans.values()) {
      c.tenures.add(new Tenure((int) s[0], s[1], s[2], s[3], s[4], (int) s[5]));
    }
    for (int i = 0; i < c.tenures.size(); i++) {
      for (int j = i + 1; j < c.tenures.size(); j++) {
        Tenure a = c.tenures.get(i);
        Tenure b = c.tenures.get(j);
        if (a.host() != b.host()
            && Math.max(a.first(), b.first()) <= Math.min(a.last(), b.last())) {
          c.twoAtOnceCount++;
          c.note(
              c.twoAtOnce,
              String.format(
                  Locale.ROOT,
                  "node %d (epoch %d, surely from +%.2f to +%.2f s) and node %d (epoch %d,"
                      + " surely from +%.2f to +%.2f s)",
                  a.host(), a.epoch(), (a.first() - origin) / 1e9, (a.last() - origin) / 1e9,
                  b.host(), b.epoch(), (b.first() - origin) / 1e9, (b.last() - origin) / 1e9));
        }
      }
    }
    return c;
  }

  /** The epoch of the latest lease {@code host} held at or before {@code at}; -1 if none. */
  private static long epochOf(List<LeaseChange> leases, int host, long at) {
    long epoch = -1;
    for (LeaseChange l : leases) {
      if (l.at() > at) {
        break;
      }
      if (l.owner() == host) {
        epoch = l.epoch();
      }
    }
    return epoch;
  }

  /** Whether {@code host} held the lease at some moment of [from, to]. */
  static boolean heldDuring(List<LeaseChange> leases, int host, long from, long to) {
    LeaseChange before = null;
    for (LeaseChange l : leases) {
      if (l.at() <= from) {
        before = l;
      } else if (l.at() <= to && l.owner() == host) {
        return true;
      }
    }
    return before != null && before.owner() == host;
  }

  /**
   * The tenures in order, as "node 0 (epoch 1, 12 answers, last received +3.20 s)", times from
   * {@code origin}.
   */
  String describe(long origin) {
    List<String> parts = new ArrayList<>();
    for (Tenure t : tenures) {
      parts.add(String.format(Locale.ROOT,
          "node %d (epoch %d, %d answers, first received %+.2f s, last sent %+.2f s, received"
              + " %+.2f s)", t.host(), t.epoch(), t.answers(), (t.first() - origin) / 1e9,
          (t.last() - origin) / 1e9, (t.lastReceived() - origin) / 1e9));
    }
    return parts.isEmpty() ? "none" : String.join(", then ", parts);
  }

  private void note(List<String> list, String text) {
    if (list.size() < 20) {
      list.add(text);
    } else if (list.size() == 20) {
      list.add("...");
    }
  }

  int violations() {
    return twoAtOnceCount + withoutLeaseCount;
  }
}
