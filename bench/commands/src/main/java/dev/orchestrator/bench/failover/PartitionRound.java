package dev.orchestrator.bench.failover;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One partition round: cut a node off from the others (the singleton's, or another), hold the
 * partition until the split brain resolver has decided and, for the singleton's node, the
 * majority's singleton answers; heal; restart the cut-off node if it exited (or kill and restart it
 * if it neither exited nor came back); wait until every node is Up. What the cut-off node went
 * through is read from the nodes' answers ({@link SingletonWatch}), its process and the nodes'
 * logs ({@link LogTimeline}).
 */
final class PartitionRound {
  final int number;
  final boolean singletonRound;
  int victim;
  int hostBefore;
  long epochBefore;
  long epochAfter;
  long cutNanos;
  long healNanos;
  long restartNanos;
  long upNanos;
  long answeredNanos;
  int newHost = -1;
  volatile long exitNanos;
  Integer exitCode;
  String afterHeal;
  final List<LogTimeline.Line> timeline = new ArrayList<>();

  private PartitionRound(int number, boolean singletonRound) {
    this.number = number;
    this.singletonRound = singletonRound;
  }

  static PartitionRound run(
      int number, boolean isolateSingleton, LocalCluster cluster, SingletonWatch watch,
      Netns net, Options options) throws Exception {
    PartitionRound r = new PartitionRound(number, isolateSingleton);
    r.hostBefore = Round.singletonHost(cluster);
    r.victim = isolateSingleton ? r.hostBefore : (r.hostBefore + 1) % cluster.size();
    SingletonWatch.LeaseChange lease = watch.lease();
    r.epochBefore = lease == null ? -1 : lease.epoch();
    long[] marks = new long[cluster.size()];
    for (int i = 0; i < marks.length; i++) {
      marks[i] = LogTimeline.mark(cluster.log(i));
    }
    Process victimProcess = cluster.process(r.victim);
    victimProcess.onExit().thenRun(() -> r.exitNanos = System.nanoTime());
    long cutMsOfDay = LogTimeline.nowMsOfDay();
    r.cutNanos = System.nanoTime();
    net.cut(r.victim);
    r.holdPartition(watch, options);
    r.healNanos = System.nanoTime();
    net.heal(r.victim);
    r.rejoin(cluster, victimProcess, options);
    r.upNanos = System.nanoTime();
    lease = watch.lease();
    r.epochAfter = lease == null ? -1 : lease.epoch();
    for (int i = 0; i < marks.length; i++) {
      r.timeline.addAll(
          LogTimeline.read(cluster.log(i), i, marks[i], cutMsOfDay, cluster::nodeNames));
    }
    r.timeline.sort(Comparator.comparingLong(LogTimeline.Line::relMs));
    return r;
  }

  private void holdPartition(SingletonWatch watch, Options options) throws InterruptedException {
    long min = cutNanos + TimeUnit.SECONDS.toNanos(options.partitionMinS());
    long max = cutNanos + TimeUnit.SECONDS.toNanos(options.partitionMaxS());
    while (true) {
      long now = System.nanoTime();
      if (answeredNanos == 0) {
        SingletonWatch.Claim c = watch.firstClaimElsewhere(cutNanos, victim);
        if (c != null && (singletonRound || c.host() == hostBefore)) {
          answeredNanos = c.received();
          newHost = c.host();
        }
      }
      boolean decided = exitNanos != 0 && (!singletonRound || answeredNanos != 0);
      if (now >= max || (now >= min && decided)) {
        return;
      }
      Thread.sleep(100);
    }
  }

  /** After the heal: the cut-off node exited (restart it), came back by itself, or is killed. */
  private void rejoin(LocalCluster cluster, Process victimProcess, Options options)
      throws Exception {
    int via = majority(cluster.size()).get(0);
    long deadline = healNanos + TimeUnit.SECONDS.toNanos(options.rejoinWaitS());
    while (victimProcess.isAlive() && System.nanoTime() < deadline) {
      if (allUp(cluster, via)) {
        afterHeal = "still ran and was an Up member again without a restart";
        return;
      }
      Thread.sleep(500);
    }
    if (victimProcess.isAlive()) {
      cluster.kill9(victim);
      afterHeal = "still ran " + options.rejoinWaitS() + " s after the heal: killed (-9) and"
          + " restarted by the bench";
    } else {
      exitCode = victimProcess.exitValue();
      afterHeal = "restarted by the bench after the heal";
    }
    restartNanos = System.nanoTime();
    cluster.startNode(victim, true);
    cluster.awaitReady(victim);
    Round.awaitAllUp(cluster, via, 180);
  }

  private static boolean allUp(LocalCluster cluster, int via) {
    try {
      Round.awaitAllUp(cluster, via, 0);
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  List<Integer> majority(int size) {
    List<Integer> nodes = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      if (i != victim) {
        nodes.add(i);
      }
    }
    return nodes;
  }

  /** When the first timeline line of the cut-off node (or of the others) matching came, or "-". */
  private String logged(boolean ofVictim, java.util.function.Predicate<String> matches) {
    for (LogTimeline.Line l : timeline) {
      if ((l.node() == victim) == ofVictim && l.relMs() >= 0 && matches.test(l.text())) {
        return String.format(Locale.ROOT, "%.1f s", l.relMs() / 1000.0);
      }
    }
    return "-";
  }

  /** Seconds from the partition to {@code nanos}, or "-" for 0. */
  String since(long nanos) {
    return nanos == 0 ? "-" : String.format(Locale.ROOT, "%.1f s", (nanos - cutNanos) / 1e9);
  }

  /**
   * What happened to the cut-off node, in one sentence: from the logs, when the others marked it
   * unreachable, downed and removed it and when it downed itself and left; from its process, when
   * it exited; then what the bench did after the heal.
   */
  String fate() {
    String v = "[node " + victim + "]";
    String w = "[Member(node " + victim + ",";
    StringBuilder s = new StringBuilder("the others: unreachable ");
    s.append(logged(false, t -> t.startsWith("Marking node as UNREACHABLE " + w)));
    s.append(", downed by their SBR ");
    s.append(logged(false, t -> t.startsWith("SBR took decision DownUnreachable and is downing " + v)));
    s.append(", removed ").append(logged(false, t -> t.equals("Leader is removing unreachable node " + v)));
    s.append("; node ").append(victim).append(": its SBR downed itself ");
    s.append(logged(true, t -> t.startsWith("SBR took decision DownReachable")));
    s.append(", it left ").append(logged(true, t -> t.contains("without being asked")));
    if (exitNanos != 0 && exitNanos < healNanos) {
      s.append(", its process exited (code ").append(exitCode == null ? "?" : exitCode);
      s.append(") ").append(since(exitNanos));
    }
    s.append("; healed ").append(since(healNanos)).append("; ").append(afterHeal);
    if (restartNanos != 0) {
      s.append(String.format(Locale.ROOT, ", Up again %.1f s after its restart",
          (upNanos - restartNanos) / 1e9));
    }
    return s.toString();
  }
}
