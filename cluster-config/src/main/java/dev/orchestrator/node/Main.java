package dev.orchestrator.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Starts a node from the environment ({@code ORCH_*}, see the README), or with the argument {@code
 * postgres} only an embedded PostgreSQL ({@link PostgresMain}). Exit codes: 0 after a graceful stop
 * (SIGTERM, SIGINT), 1 when the node cannot start, 2 for settings that cannot work (one line on
 * stderr says which and how to fix it), 3 when the node stopped by itself (downed).
 */
public final class Main {
  static {
    AsyncPool.ensureShared();
  }

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  /** Exit code of a node that stopped without being asked to (downed, removed). */
  static final int EXIT_REMOVED = 3;

  private Main() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("postgres")) {
      PostgresMain.run(List.of(args).subList(1, args.length));
      return;
    }
    if (args.length > 0) {
      System.err.println(
          "orchestrator: unknown argument '"
              + args[0]
              + "'; run without arguments for a node (settings from ORCH_* variables), or: "
              + PostgresMain.USAGE.substring("usage: ".length()));
      System.exit(2);
      return;
    }
    log.info(
        "Async callbacks run on the common pool ({} threads)",
        ForkJoinPool.getCommonPoolParallelism());
    NodeSettings settings;
    Config config;
    try {
      config = NodeSettings.loadConfig();
      settings = NodeSettings.from(config);
    } catch (SettingsException e) {
      System.err.println("orchestrator: " + e.getMessage());
      System.exit(2);
      return;
    } catch (ConfigException e) {
      System.err.println("orchestrator: configuration error: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      Node node = Node.start(settings, config);
      NodeExit.install(node);
      stopOnSignals(node);
      node.generatedAdminToken().ifPresent(Main::showAdminToken);
    } catch (Exception e) {
      log.error("The node could not start", e);
      // Node's own failures already say what failed and which variable to check; the root cause
      // alone ("Connection refused") would not.
      String reason =
          e instanceof IllegalStateException && e.getMessage() != null
              ? e.getMessage()
              : Node.rootMessage(e);
      System.err.println("orchestrator: could not start: " + reason);
      System.exit(1);
    }
  }

  /**
   * SIGTERM and SIGINT run the graceful shutdown (leave the cluster, hand shards and the singleton
   * over, stop the database after the ActorSystem), after which {@link NodeExit} exits with 0. Left
   * to the JVM's shutdown hooks, the embedded PostgreSQL's own hook would stop it while the node
   * still leaves.
   */
  private static void stopOnSignals(Node node) {
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(
          new Signal(name),
          signal -> {
            log.info("SIG{} received: leaving the cluster and stopping", name);
            node.stop();
          });
    }
  }

  private static void showAdminToken(String token) {
    System.out.println();
    System.out.println(
        "  Admin token (shown once; dev mode keeps it in $ORCH_DATA_DIR/admin.token):");
    System.out.println("    " + token);
    System.out.println();
  }
}
