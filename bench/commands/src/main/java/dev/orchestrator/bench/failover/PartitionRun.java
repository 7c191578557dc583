package dev.orchestrator.bench.failover;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orchestrator.bench.commands.Api;
import dev.orchestrator.bench.commands.ChildPids;
import dev.orchestrator.bench.commands.Machine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * bench/failover --scenario=partition: the three nodes each in a network namespace, the same
 * command load as the kill run plus events and component lifecycle commands, and rounds of one node
 * cut off from the others with iptables, then healed. Checks that one singleton ran at a time,
 * that nothing was written twice, that no acknowledged command or event was lost. See
 * bench/failover/README.md, "Partition run".
 */
final class PartitionRun implements AutoCloseable {
  private final Options options;
  private final List<String> facts;
  private final Path out;
  private final ChildPids pids;
  private Netns net;
  private LocalCluster cluster;
  private SingletonWatch watch;
  private Load load;
  private SideLoad side;

  PartitionRun(Options options, List<String> facts, Path out, ChildPids pids) {
    this.options = options;
    this.facts = facts;
    this.out = out;
    this.pids = pids;
  }

  int run(String stamp) throws Exception {
    net = new Netns(options.netnsScript(), options.out().resolve("netns.env"),
        options.netnsPrefix(), options.netnsSubnet(), options.nodes());
    net.up();
    Placement placement = Placement.namespaces(options.netnsPrefix(), options.netnsSubnet());
    facts.add("network: node i in network namespace " + placement.namespace(0).replaceAll("0$", "i")
        + " at " + placement.host(0).replaceAll("10$", "(10+i)") + ", veth pairs to bridge "
        + options.netnsPrefix() + "br (" + placement.dbHost() + ", PostgreSQL and the bench);"
        + " a partition = iptables DROP in the cut-off node's namespace of all packets from or"
        + " to the other nodes");
    System.out.println(facts.get(facts.size() - 1));
    cluster = new LocalCluster(
        options.jar(), placement, options.nodeJavaOpts(), options.nodes(), out, pids);
    cluster.startPostgres();
    facts.add("database: " + Main.describeDb(cluster));
    facts.add("nodes: " + options.nodes() + " x java " + options.nodeJavaOpts()
        + " -jar orchestrator.jar, ORCH_MODE=cluster, all roles, every node a seed, the jar's own"
        + " cluster settings (mode-cluster.conf: keep-majority, stable-after 7 s)");
    System.out.println(facts.get(facts.size() - 2));
    System.out.println(facts.get(facts.size() - 1));
    long t0 = System.nanoTime();
    for (int i = 0; i < cluster.size(); i++) {
      cluster.startNode(i, false);
    }
    for (int i = 0; i < cluster.size(); i++) {
      cluster.awaitReady(i);
    }
    System.out.printf(Locale.ROOT, "cluster ready in %.1f s (logs in %s)%n",
        (System.nanoTime() - t0) / 1e9, out);

    watch = new SingletonWatch(cluster, cluster.jdbcUrl(), options.pollMs());
    watch.start();
    side = new SideLoad(cluster, options.eventRate(), options.lifecycleRate(), options.components());
    side.register();
    load = new Load(cluster, stamp, options.rate(), options.giveUpMs());
    load.start();
    side.start();
    long loadStart = System.nanoTime();
    System.out.printf(Locale.ROOT,
        "load: %.0f noop commands/s, %.1f events/s, %.1f lifecycle commands/s to %d simulated"
            + " components; warm-up %d s%n",
        options.rate(), options.eventRate(), options.lifecycleRate(), options.components(),
        options.warmupS());
    Thread.sleep(options.warmupS() * 1000L);

    List<PartitionRound> rounds = new ArrayList<>();
    for (int n = 1; n <= options.rounds(); n++) {
      boolean singleton = !options.otherRounds().contains(n);
      PartitionRound r = PartitionRound.run(n, singleton, cluster, watch, net, options);
      rounds.add(r);
      System.out.printf(Locale.ROOT,
          "round %d: cut off node %d (%s), healed after %.1f s; %s%n",
          n, r.victim, singleton ? "ran the singleton" : "not the singleton's",
          (r.healNanos - r.cutNanos) / 1e9,
          singleton
              ? (r.newHost < 0 ? "NO singleton answered on the majority side"
                  : "singleton answered on node " + r.newHost + " after " + r.since(r.answeredNanos))
              : "singleton stayed on node " + r.hostBefore);
      Thread.sleep(options.settleS() * 1000L);
    }

    load.stopSubmitting();
    side.stop();
    System.out.println("load stopped; waiting for the submits under way ...");
    load.awaitSettled();
    long end = System.nanoTime();
    watch.close();
    List<Load.Submit> submits = load.snapshot();
    writeSubmits(submits, loadStart);
    writeWatch(loadStart);
    List<String> ids = submits.stream().filter(Load.Submit::acked).map(s -> s.id).toList();
    System.out.println("checking " + ids.size() + " acknowledged commands and the journal ...");
    int via = rounds.isEmpty() ? 0 : rounds.get(rounds.size() - 1).majority(cluster.size()).get(0);
    Verify v = Verify.of(ids, cluster.host(via), cluster.httpPort(via), cluster.token());
    JournalCheck journal =
        JournalCheck.of(cluster.jdbcUrl(), cluster.postgresLogDir(), side.ackedEvents);
    long from = watch.leases().isEmpty() ? loadStart : watch.leases().get(0).at();
    ClaimCheck total = ClaimCheck.of(watch.claims(), watch.leases(), from, end, loadStart);

    PartitionReport report =
        new PartitionReport(
            options, facts, rounds, watch, submits, v, journal, total, side, loadStart);
    Map<String, Object> json = report.print();
    Path results = options.out().resolve("results-partition-" + stamp + ".json");
    Api.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(results.toFile(), json);
    System.out.println("results: " + results);
    if (total.violations() > 0 || journal.dualWrites() > 0) {
      return 5;
    }
    return v.lost() == 0 && journal.eventsLost == 0 ? 0 : 4;
  }

  /**
   * submits.csv in the run's folder: each command's send and acknowledgement time (s from the
   * start of the load), attempts, the node it was first sent to and its last error.
   */
  private void writeSubmits(List<Load.Submit> submits, long origin) throws java.io.IOException {
    StringBuilder csv = new StringBuilder("seq,first_node,sent_s,acked_s,tries,last_error\n");
    for (Load.Submit s : submits) {
      csv.append(String.format(Locale.ROOT, "%d,%d,%.3f,%s,%d,\"%s\"%n", s.seq,
          s.seq % cluster.size(), (s.sentNanos - origin) / 1e9,
          s.acked() ? String.format(Locale.ROOT, "%.3f", (s.ackNanos - origin) / 1e9) : "",
          s.tries, s.lastError == null ? "" : s.lastError.replace('"', '\'')));
    }
    java.nio.file.Files.writeString(out.resolve("submits.csv"), csv);
  }

  /**
   * answers.csv and leases.csv in the run's folder: every answer of GET /api/v1/cluster (which
   * node, sent and received in s from the start of the load, the node it named or -1) and every
   * change of the singleton's lease, for a second look at the checks.
   */
  private void writeWatch(long origin) throws java.io.IOException {
    StringBuilder answers = new StringBuilder("node,sent_s,received_s,singleton_on\n");
    for (SingletonWatch.Claim c : watch.claims()) {
      answers.append(String.format(Locale.ROOT, "%d,%.3f,%.3f,%d%n", c.node(),
          (c.sent() - origin) / 1e9, (c.received() - origin) / 1e9, c.host()));
    }
    java.nio.file.Files.writeString(out.resolve("answers.csv"), answers);
    StringBuilder leases = new StringBuilder("at_s,owner,epoch\n");
    for (SingletonWatch.LeaseChange l : watch.leases()) {
      leases.append(String.format(Locale.ROOT, "%.3f,%d,%d%n", (l.at() - origin) / 1e9,
          l.owner(), l.epoch()));
    }
    java.nio.file.Files.writeString(out.resolve("leases.csv"), leases);
  }

  /** Stops the loads, heals, stops the nodes and PostgreSQL, removes the network. */
  @Override
  public void close() {
    if (side != null) {
      side.close();
    }
    if (load != null) {
      load.close();
    }
    if (watch != null) {
      watch.close();
    }
    if (net != null) {
      net.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (net != null) {
      net.down();
    }
  }

  static Map<String, Object> map(Object... keyValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put((String) keyValues[i], keyValues[i + 1]);
    }
    return m;
  }
}
