package dev.orchestrator.bench.failover;

import static dev.orchestrator.bench.failover.PartitionRun.map;

import dev.orchestrator.bench.commands.Machine;
import dev.orchestrator.bench.failover.SingletonWatch.Claim;
import dev.orchestrator.bench.failover.SingletonWatch.LeaseChange;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints the partition run's figures, per round and in total, and returns them for the JSON. */
final class PartitionReport {
  private final Options options;
  private final List<String> facts;
  private final List<PartitionRound> rounds;
  private final SingletonWatch watch;
  private final List<Load.Submit> submits;
  private final Verify verify;
  private final JournalCheck journal;
  private final ClaimCheck total;
  private final SideLoad side;
  private final long loadStart;

  PartitionReport(Options options, List<String> facts, List<PartitionRound> rounds,
      SingletonWatch watch, List<Load.Submit> submits, Verify verify, JournalCheck journal,
      ClaimCheck total, SideLoad side, long loadStart) {
    this.loadStart = loadStart;
    this.options = options;
    this.facts = facts;
    this.rounds = rounds;
    this.watch = watch;
    this.submits = submits;
    this.verify = verify;
    this.journal = journal;
    this.total = total;
    this.side = side;
  }

  Map<String, Object> print() {
    List<Object> perRound = new ArrayList<>();
    System.out.println();
    System.out.println("== per round (times from the partition) ==");
    System.out.println("round  cut off  singleton's?  singleton on majority  epoch  node exited"
        + "  healed  restart->Up  two at once  w/o lease  submitted  not acked  longest submit->ack");
    List<ClaimCheck> checks = new ArrayList<>();
    for (PartitionRound r : rounds) {
      ClaimCheck c = ClaimCheck.of(watch.claims(), watch.leases(), r.cutNanos, r.upNanos, r.cutNanos);
      checks.add(c);
      long[] cmd = commands(r.cutNanos, r.upNanos);
      System.out.printf(Locale.ROOT,
          "%5d  %7d  %12s  %21s  %5s  %11s  %6s  %11s  %11d  %9d  %9d  %9d  %17.2f s%n",
          r.number, r.victim, r.singletonRound ? "yes" : "no",
          r.singletonRound ? r.since(r.answeredNanos) + (r.newHost >= 0 ? " (node " + r.newHost + ")" : "")
              : "stayed on " + r.hostBefore,
          r.epochBefore + "->" + r.epochAfter, r.exitNanos < r.healNanos ? r.since(r.exitNanos) : "no",
          r.since(r.healNanos),
          r.restartNanos == 0 ? "-" : String.format(Locale.ROOT, "%.1f s", (r.upNanos - r.restartNanos) / 1e9),
          c.twoAtOnceCount, c.withoutLeaseCount, cmd[0], cmd[1], cmd[2] / 1e9);
    }
    for (int k = 0; k < rounds.size(); k++) {
      PartitionRound r = rounds.get(k);
      ClaimCheck c = checks.get(k);
      System.out.println();
      System.out.printf(Locale.ROOT, "round %d, node %d cut off: %s%n", r.number, r.victim, r.fate());
      System.out.println("  singleton answers: " + c.describe(r.cutNanos));
      if (!r.singletonRound) {
        System.out.printf(Locale.ROOT,
            "  longest time without an answer naming the singleton on the majority side during the"
                + " partition: %.2f s%n", longestGap(r) / 1e9);
      }
      c.twoAtOnce.forEach(t -> System.out.println("  TWO AT ONCE: " + t));
      c.withoutLease.forEach(t -> System.out.println("  WITHOUT LEASE: " + t));
      r.timeline.forEach(l -> System.out.println("  " + l));
      long[] cmd = commands(r.cutNanos, r.upNanos);
      perRound.add(map("round", r.number, "cutAtS", ms(r.cutNanos - loadStart) / 1000.0,
          "cutOff", r.victim, "ranSingleton", r.singletonRound,
          "singletonAnsweredOnMajorityMs", r.answeredNanos == 0 ? null : ms(r.answeredNanos - r.cutNanos),
          "newSingletonNode", r.newHost, "epochBefore", r.epochBefore, "epochAfter", r.epochAfter,
          "fate", r.fate(), "tenures", c.describe(r.cutNanos), "twoAtOnce", c.twoAtOnce,
          "withoutLease", c.withoutLease, "submitted", cmd[0], "notAcknowledged", cmd[1],
          "longestSubmitToAckMs", ms(cmd[2]),
          "timeline", r.timeline.stream().map(Object::toString).toList()));
    }

    List<String> summary = summary();
    System.out.println();
    System.out.println("== summary ==");
    facts.forEach(f -> System.out.println("  " + f));
    summary.forEach(s -> System.out.println("  " + s));
    journal.examples.forEach(e -> System.out.println("    e.g. " + e));
    verify.examples.forEach(e -> System.out.println("    e.g. " + e));
    total.twoAtOnce.forEach(t -> System.out.println("    two at once: " + t));
    total.withoutLease.forEach(t -> System.out.println("    without lease: " + t));
    System.out.println("  machine at the end: " + Machine.loadAverage());
    return map("scenario", "partition", "facts", facts, "rounds", perRound, "summary", summary);
  }

  private List<String> summary() {
    List<String> s = new ArrayList<>();
    double[] answered = rounds.stream().filter(r -> r.singletonRound && r.answeredNanos != 0)
        .mapToDouble(r -> (r.answeredNanos - r.cutNanos) / 1e9).sorted().toArray();
    long singletonRounds = rounds.stream().filter(r -> r.singletonRound).count();
    if (answered.length > 0) {
      s.add(String.format(Locale.ROOT,
          "partition -> singleton answering on the majority side: min %.2f s, median %.2f s,"
              + " max %.2f s (%d of %d singleton rounds)", answered[0], median(answered),
          answered[answered.length - 1], answered.length, singletonRounds));
    }
    s.add(String.format(Locale.ROOT,
        "singleton: %d answers polled (%d without a singleton), %d tenures; two at once: %d;"
            + " answers from a node without the lease: %d; lease: %s%s",
        total.answers, total.noSingleton, total.tenures.size(), total.twoAtOnceCount,
        total.withoutLeaseCount, leaseHistory(),
        watch.leaseReadErrors() > 0 ? " (" + watch.leaseReadErrors() + " failed reads)" : ""));
    s.add(String.format(Locale.ROOT,
        "journal: %d persistence ids, %d events, %d written by more than one incarnation (one after"
            + " the other); dual writes: %d (writer back after another %d, writers overlapping in"
            + " time %d, sequence holes %d, component epoch going back %d); writes refused by the"
            + " primary key (PostgreSQL log): %d%s",
        journal.persistenceIds, journal.events, journal.handedOver, journal.dualWrites(),
        journal.writerReturned, journal.timeOverlap, journal.holes, journal.epochWentBack,
        journal.refusedWrites,
        journal.refusedByPersistenceId.isEmpty() ? "" : " " + journal.refusedByPersistenceId));
    s.add(String.format(Locale.ROOT,
        "components: %d lifecycle commands sent, %d accepted (202), %d refused by the state machine"
            + " (409), %d failed; %d LifecycleRequested events journaled, %d stale-epoch refusals",
        side.lifecycleSent.get(), side.lifecycleAccepted.get(), side.lifecycleConflict.get(),
        side.lifecycleFailed.get(), journal.lifecycleEvents, journal.staleEpochRefused));
    s.add(String.format(Locale.ROOT,
        "events: %d sent, %d acknowledged (202) as matching the scenario, %d refused or failed"
            + " (not retried); acknowledged but not in the singleton's journal (lost): %d;"
            + " acknowledged as matching NO scenario (not journaled, no run): %d%s",
        side.eventsSent.get(), side.ackedEvents.size(), side.eventsRefused.get(),
        journal.eventsLost, side.unmatchedAcks.size(), unmatchedWhen()));
    long acked = submits.stream().filter(Load.Submit::acked).count();
    s.add(String.format(Locale.ROOT,
        "commands: %d submitted, %d acknowledged (202), %d never acknowledged within %d s;"
            + " of the acknowledged: %d SUCCEEDED, lost %d (unknown %d, ended otherwise %d,"
            + " unfinished %d), duplicates (attempts > 1) %d",
        submits.size(), acked, submits.size() - acked, options.giveUpMs() / 1000,
        verify.succeeded, verify.lost(), verify.unknown, verify.endedOtherwise, verify.unfinished,
        verify.duplicates));
    return s;
  }

  /** When the unmatched acknowledgements came, relative to the nearest partition before them. */
  private String unmatchedWhen() {
    List<String> parts = new ArrayList<>();
    for (long at : side.unmatchedAcks) {
      PartitionRound last = null;
      for (PartitionRound r : rounds) {
        if (r.cutNanos <= at) {
          last = r;
        }
      }
      parts.add(last == null ? "before round 1"
          : String.format(Locale.ROOT, "round %d %+.1f s", last.number, (at - last.cutNanos) / 1e9));
      if (parts.size() == 10) {
        parts.add("...");
        break;
      }
    }
    return parts.isEmpty() ? "" : " (" + String.join(", ", parts) + ")";
  }

  /** "epoch 1 node 0, 2 node 1, ..." with a warning when an epoch went down or an owner kept it. */
  private String leaseHistory() {
    List<String> parts = new ArrayList<>();
    long lastEpoch = -1;
    int lastOwner = -1;
    int anomalies = 0;
    for (LeaseChange l : watch.leases()) {
      if (l.owner() < 0) {
        continue;
      }
      if (l.epoch() < lastEpoch || (l.owner() != lastOwner && lastOwner >= 0 && l.epoch() == lastEpoch)) {
        anomalies++;
      }
      if (l.owner() != lastOwner || l.epoch() != lastEpoch) {
        parts.add(l.epoch() + " node " + l.owner());
      }
      lastEpoch = l.epoch();
      lastOwner = l.owner();
    }
    return "epochs " + String.join(", ", parts)
        + (anomalies == 0 ? " (each new owner a higher epoch)" : " (" + anomalies + " EPOCH ANOMALIES)");
  }

  /** The longest time with no answer from a majority node naming the singleton, cut to heal. */
  private long longestGap(PartitionRound r) {
    long last = r.cutNanos;
    long gap = 0;
    for (Claim c : watch.claims()) {
      if (c.node() == r.victim || c.host() < 0 || c.received() < r.cutNanos || c.received() > r.healNanos) {
        continue;
      }
      gap = Math.max(gap, c.received() - last);
      last = Math.max(last, c.received());
    }
    return Math.max(gap, r.healNanos - last);
  }

  /** {submitted, not acknowledged, longest submit->ack in ns} of the commands sent in [from, to]. */
  private long[] commands(long from, long to) {
    long sent = 0;
    long refused = 0;
    long longest = 0;
    for (Load.Submit s : submits) {
      if (s.sentNanos < from || s.sentNanos > to) {
        continue;
      }
      sent++;
      if (s.acked()) {
        longest = Math.max(longest, s.ackNanos - s.sentNanos);
      } else {
        refused++;
      }
    }
    return new long[] {sent, refused, longest};
  }

  private static long ms(long nanos) {
    return Math.round(nanos / 1e6);
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
