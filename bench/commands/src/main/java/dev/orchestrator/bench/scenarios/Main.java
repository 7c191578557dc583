package dev.orchestrator.bench.scenarios;

import com.fasterxml.jackson.databind.SerializationFeature;
import dev.orchestrator.bench.commands.Api;
import dev.orchestrator.bench.commands.ChildPids;
import dev.orchestrator.bench.commands.Machine;
import dev.orchestrator.bench.commands.NodeProcess;
import dev.orchestrator.bench.commands.OrchestratorNode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * bench/scenarios: the scenario engine on one node (dev mode, embedded PostgreSQL): (a) many
 * five-step runs at once, (b) event to first action, (c) memory of many runs under way. See
 * bench/scenarios/README.md.
 */
public final class Main {
  private final Options options;
  private final String[] args;
  private final List<String> facts = new ArrayList<>();
  private final List<String> summary = new ArrayList<>();
  private final Map<String, Object> json = new LinkedHashMap<>();
  private final AtomicBoolean cleaned = new AtomicBoolean();
  private OrchestratorNode node;
  private ChildPids pids;

  private Main(Options options, String[] args) {
    this.options = options;
    this.args = args;
  }

  public static void main(String[] args) {
    Options options;
    try {
      options = Options.parse(args);
      options.pollMs();
      options.transitionMs();
      options.actionPollMs();
      options.pid();
      if (options.url() != null && options.token() == null) {
        throw new IllegalArgumentException("--url needs --token (the running node's admin token)");
      }
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Main main = new Main(options, args);
    Runtime.getRuntime().addShutdownHook(new Thread(main::cleanup, "bench-cleanup"));
    ChildPids.watchdog(options.maxMinutes());
    int code;
    try {
      code = main.run();
    } catch (Throwable t) {
      System.err.println("bench failed: " + t);
      t.printStackTrace();
      if (main.node != null) {
        System.err.println("node log tail:\n" + main.node.tail(30));
      }
      code = 1;
    } finally {
      main.cleanup();
    }
    System.exit(code);
  }

  private int run() throws Exception {
    String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path out = options.out();
    pids = ChildPids.in(out);
    facts.add("command: " + commandLine());
    facts.add(String.format(Locale.ROOT, "machine: %d cores (%s), %s RAM, %s at start",
        Machine.nproc(), Machine.cpuModel(), Machine.memTotal(), Machine.loadAverage()));
    facts.add("java: " + Machine.javaVersionLine(Machine.java()));
    System.out.println("== bench/scenarios " + stamp + " ==");
    facts.forEach(System.out::println);

    int port;
    String token;
    NodeProcess process;
    if (options.url() == null) {
      Map<String, String> env = new LinkedHashMap<>();
      env.put("ORCH_EXAMPLES", "off");
      env.put("ORCH_MAX_CONCURRENT_SCENARIOS", Integer.toString(options.maxConcurrentScenarios()));
      String javaOpts = options.nodeJavaOpts()
          + " -Dorchestrator.components.simulated.transition-time=" + options.transitionMs() + "ms"
          + " -Dorchestrator.scenarios.actions.poll-interval=" + options.actionPollMs() + "ms";
      facts.add("node: ORCH_MODE=dev (embedded PostgreSQL, fresh data dir) " + envLine(env)
          + " java " + javaOpts + " -jar " + options.jar());
      System.out.println(facts.get(facts.size() - 1));
      long t0 = System.nanoTime();
      node = OrchestratorNode.startDev(options.jar(), javaOpts, env, out);
      pids.add("node", node.pid(), options.jar().toString());
      node.awaitReady(Duration.ofSeconds(180));
      System.out.printf(Locale.ROOT, "node ready in %.1f s (pid %d, log %s)%n",
          (System.nanoTime() - t0) / 1e9, node.pid(), node.log());
      port = node.baseUri().getPort();
      token = node.token();
      process = new NodeProcess(node.pid());
    } else {
      URI uri = URI.create(options.url());
      port = uri.getPort() < 0 ? 80 : uri.getPort();
      token = options.token();
      process = options.pid() > 0 ? new NodeProcess(options.pid()) : null;
      facts.add("node: the running one at " + uri + (process == null ? " (no --pid: no heap or RSS figures)" : ", pid " + options.pid())
          + "; its own settings (the bench's --transition-time, --action-poll-interval and --max-concurrent-scenarios do not apply)");
      System.out.println(facts.get(facts.size() - 1));
      if (!"127.0.0.1".equals(uri.getHost()) && !"localhost".equals(uri.getHost())) {
        throw new IllegalArgumentException("--url must be on this machine (127.0.0.1): the bench compares its clock with the node's");
      }
      try (Api api = new Api(port, token)) {
        api.getJson("/api/v1/scenarios"); // the token works
      }
    }
    json.put("facts", facts);
    String tag = Long.toString(System.currentTimeMillis() / 1000 % 60_466_176L, 36);
    Context c = new Context(options, port, token, tag, process, summary, json);
    if (options.phase('a')) {
      new ConcurrentRuns(c).run();
    }
    if (options.phase('b')) {
      new EventLatency(c).run();
    }
    if (options.phase('c')) {
      new RunMemory(c).run();
    }

    System.out.println();
    System.out.println("== summary ==");
    facts.forEach(f -> System.out.println("  " + f));
    summary.forEach(s -> System.out.println("  " + s));
    System.out.println("  machine at the end: " + Machine.loadAverage());
    json.put("summary", summary);
    Path results = out.resolve("results-" + stamp + ".json");
    Api.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(results.toFile(), json);
    System.out.println("results: " + results + (node == null ? "" : "; node log: " + node.log()));
    return 0;
  }

  /** As typed: run.sh's own --jar and --out left out, BENCH_* variables put in front. */
  private String commandLine() {
    StringBuilder sb = new StringBuilder();
    new TreeMap<>(System.getenv()).forEach((k, v) -> {
      if (k.startsWith("BENCH_") && !k.equals("BENCH_TOKEN")) {
        sb.append(k).append('=').append(v).append(' ');
      }
    });
    sb.append("bench/scenarios/run.sh");
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.startsWith("--jar=") || a.startsWith("--out=")) {
        continue;
      }
      sb.append(' ').append(a.startsWith("--token") ? "--token=..." : a);
      if (a.equals("--token") && i + 1 < args.length) {
        i++;
      }
    }
    return sb.toString();
  }

  private static String envLine(Map<String, String> env) {
    StringBuilder sb = new StringBuilder();
    env.forEach((k, v) -> sb.append(k).append('=').append(v).append(' '));
    return sb.toString().trim();
  }

  private void cleanup() {
    if (!cleaned.compareAndSet(false, true)) {
      return;
    }
    if (node != null) {
      node.close();
    }
    if (pids != null) {
      pids.clear();
    }
  }
}
