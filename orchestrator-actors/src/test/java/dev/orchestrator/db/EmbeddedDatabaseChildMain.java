package dev.orchestrator.db;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * A node's JVM for {@link EmbeddedDatabaseTest}: it starts the embedded database on a directory and
 * reports on stdout, so that the test can kill it or watch it being refused.
 *
 * <p>{@code hold DIR}: start, write a row to {@code kept}, print {@code READY}, then run until
 * stdin closes. {@code start DIR}: start, print {@code STARTED} and stop again, or print {@code
 * REFUSED <message>} and exit with status 3 when the directory is in use.
 */
public final class EmbeddedDatabaseChildMain {
  static final String READY = "READY";
  static final String STARTED = "STARTED";
  static final String REFUSED = "REFUSED ";
  static final int REFUSED_STATUS = 3;
  static final String KEPT_VALUE = "written before the kill";

  private EmbeddedDatabaseChildMain() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    Path dataDir = Path.of(args[1]);
    switch (mode) {
      case "hold" -> hold(dataDir);
      case "start" -> start(dataDir);
      default -> throw new IllegalArgumentException("unknown mode " + mode);
    }
  }

  private static void hold(Path dataDir) throws Exception {
    EmbeddedDatabase db = EmbeddedDatabase.start(dataDir);
    try (Connection c = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE kept (value TEXT NOT NULL)");
      s.execute("INSERT INTO kept VALUES ('" + KEPT_VALUE + "')");
    }
    System.out.println(READY);
    System.out.flush();
    while (System.in.read() != -1) {
      // Runs until the test closes stdin or kills this JVM.
    }
    db.close();
  }

  private static void start(Path dataDir) throws Exception {
    EmbeddedDatabase db;
    try {
      db = EmbeddedDatabase.start(dataDir);
    } catch (IllegalStateException e) {
      System.out.println(REFUSED + e.getMessage());
      System.out.flush();
      System.exit(REFUSED_STATUS);
      return;
    }
    System.out.println(STARTED);
    System.out.flush();
    db.close();
  }
}
