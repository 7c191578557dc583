package dev.orchestrator.node;

import dev.orchestrator.db.EmbeddedDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * {@code java -jar orchestrator.jar postgres [--data-dir DIR] [--port N]}: runs only the embedded
 * PostgreSQL of dev mode (same binaries, {@code fsync} and {@code synchronous_commit} on), in the
 * foreground, for a local cluster or a benchmark that needs one PostgreSQL and nothing installed.
 * Prints its JDBC URL once it accepts connections; SIGTERM or SIGINT stops it cleanly (exit 0). It
 * exits 1 when PostgreSQL cannot start or stops by itself, 2 for arguments that cannot work.
 */
public final class PostgresMain {
  private static final Logger log = LoggerFactory.getLogger(PostgresMain.class);
  static final String USAGE =
      "usage: java -jar orchestrator.jar postgres [--data-dir DIR (./postgres)] [--port N (5432)]";

  private PostgresMain() {}

  /** Options of the subcommand. */
  record Options(Path dataDir, int port) {
    static Options parse(List<String> args) {
      Path dataDir = Path.of("postgres");
      int port = 5432;
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        String value;
        if (arg.contains("=")) {
          value = arg.substring(arg.indexOf('=') + 1);
        } else if (i + 1 < args.size()) {
          value = args.get(++i);
        } else {
          throw new SettingsException(arg + ": needs a value; " + USAGE);
        }
        switch (name) {
          case "--data-dir" -> {
            if (value.isBlank()) {
              throw new SettingsException("--data-dir: must name a directory; " + USAGE);
            }
            dataDir = Path.of(value);
          }
          case "--port" -> port = port(value);
          default -> throw new SettingsException("unknown option " + name + "; " + USAGE);
        }
      }
      return new Options(dataDir.toAbsolutePath().normalize(), port);
    }

    private static int port(String value) {
      try {
        int port = Integer.parseInt(value.trim());
        if (port >= 1 && port <= 65535) {
          return port;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new SettingsException(
          "--port: '" + value + "' is not a port number; use a whole number from 1 to 65535");
    }
  }

  static void run(List<String> args) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (SettingsException e) {
      System.err.println("orchestrator postgres: " + e.getMessage());
      System.exit(2);
      return;
    }
    EmbeddedDatabase db;
    try {
      db = EmbeddedDatabase.start(options.dataDir(), options.port());
    } catch (IOException | RuntimeException e) {
      log.error("PostgreSQL could not start", e);
      System.err.println(
          "orchestrator postgres: could not start on port "
              + options.port()
              + " with data in "
              + options.dataDir()
              + ": "
              + Node.rootMessage(e));
      System.exit(1);
      return;
    }
    AtomicBoolean stopping = new AtomicBoolean();
    CountDownLatch stopped = new CountDownLatch(1);
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(
          new Signal(name),
          signal -> {
            if (stopping.compareAndSet(false, true)) {
              log.info("SIG{} received: stopping PostgreSQL", name);
              stop(db);
              stopped.countDown();
            }
          });
    }
    postmaster(options.dataDir())
        .ifPresent(
            process ->
                process
                    .onExit()
                    .thenRun(
                        () -> {
                          if (!stopping.get()) {
                            log.error("PostgreSQL (pid {}) stopped by itself", process.pid());
                            System.exit(1);
                          }
                        }));
    System.out.println("PostgreSQL ready: " + db.jdbcUrl() + " (user postgres, no password)");
    System.out.flush();
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    System.exit(0);
  }

  private static void stop(EmbeddedDatabase db) {
    try {
      db.close();
      log.info("PostgreSQL stopped");
    } catch (IOException | RuntimeException e) {
      log.error("PostgreSQL did not stop cleanly", e);
    }
  }

  private static Optional<ProcessHandle> postmaster(Path dataDir) {
    try {
      List<String> lines =
          Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.UTF_8);
      return lines.isEmpty()
          ? Optional.empty()
          : ProcessHandle.of(Long.parseLong(lines.get(0).trim()));
    } catch (IOException | RuntimeException e) {
      log.warn("Cannot watch the postmaster: {}", e.getMessage());
      return Optional.empty();
    }
  }
}
