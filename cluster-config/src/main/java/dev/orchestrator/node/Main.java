package dev.orchestrator.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a node from the environment ({@code ORCH_*}, see the README). Exit codes: 2 for settings
 * that cannot work (one line on stderr says which and how to fix it), 1 when the node cannot start.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
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
      // A node that is downed or leaves stops its JVM, so that a supervisor can restart it.
      Config launched =
          ConfigFactory.parseString("akka.coordinated-shutdown.exit-jvm = on").withFallback(config);
      Node node = Node.start(settings, launched);
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

  private static void showAdminToken(String token) {
    System.out.println();
    System.out.println(
        "  Admin token (shown once; dev mode keeps it in $ORCH_DATA_DIR/admin.token):");
    System.out.println("    " + token);
    System.out.println();
  }
}
