package dev.orchestrator.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL of {@code dev} mode: real PostgreSQL 14 binaries from a jar, data kept in a
 * directory of ours so that a restart keeps everything, with {@code fsync} and {@code
 * synchronous_commit} on so that an acknowledged write survives a crash.
 *
 * <p>PostgreSQL runs as a separate process. When the JVM that started it is killed with {@code kill
 * -9}, the postmaster outlives it; the next start finds it through {@code postmaster.pid}, makes
 * sure no live JVM still owns the directory (its file lock) and shuts the orphan down before
 * starting a fresh one on the same data.
 */
public final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
  private static final String LOCK_FILE = "epg-lock";
  private static final Duration ORPHAN_STOP_TIMEOUT = Duration.ofSeconds(30);

  /**
   * Data directories of the databases this JVM runs. A second start on one of them must be refused
   * before it opens the lock file: POSIX locks belong to the process, so closing that second
   * channel would drop the running instance's lock and let another node take the directory over.
   */
  private static final Set<Path> RUNNING = ConcurrentHashMap.newKeySet();

  private final EmbeddedPostgres postgres;
  private final Path runningKey;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path runningKey) {
    this.postgres = postgres;
    this.runningKey = runningKey;
  }

  /** Starts PostgreSQL on the data in {@code dataDir}, creating it on the first start. */
  public static EmbeddedDatabase start(Path dataDir) throws IOException {
    return start(dataDir, 0);
  }

  /**
   * Starts PostgreSQL on the data in {@code dataDir} listening on {@code port} of the loopback
   * interface ({@code 0}: a free port chosen at start).
   */
  public static EmbeddedDatabase start(Path dataDir, int port) throws IOException {
    Files.createDirectories(dataDir);
    Path runningKey = dataDir.toRealPath();
    if (!RUNNING.add(runningKey)) {
      throw inUseByThisProcess(dataDir, null);
    }
    try {
      stopOrphanedPostmaster(dataDir);
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
      if (port != 0) {
        builder.setPort(port);
      }
      EmbeddedPostgres postgres =
          builder
              .setDataDirectory(dataDir)
              .setCleanDataDirectory(false)
              .setServerConfig("fsync", "on")
              .setServerConfig("synchronous_commit", "on")
              .setServerConfig("full_page_writes", "on")
              .setServerConfig("max_connections", "200")
              .setPGStartupWait(Duration.ofSeconds(60))
              .start();
      return new EmbeddedDatabase(postgres, runningKey);
    } catch (IOException | RuntimeException e) {
      RUNNING.remove(runningKey);
      throw e;
    }
  }

  public String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", "postgres").replace("?user=postgres", "");
  }

  public String user() {
    return "postgres";
  }

  public String password() {
    return "";
  }

  public int port() {
    return postgres.getPort();
  }

  @Override
  public void close() throws IOException {
    try {
      postgres.close();
    } finally {
      RUNNING.remove(runningKey);
    }
  }

  private static IllegalStateException inUseByThisProcess(Path dataDir, Exception cause) {
    return new IllegalStateException(
        "the database in "
            + dataDir
            + " is already in use by this process; close the running one first or choose"
            + " another ORCH_DATA_DIR",
        cause);
  }

  private static void stopOrphanedPostmaster(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) {
      return;
    }
    Path lockFile = dataDir.resolve(LOCK_FILE);
    try (FileChannel channel = new RandomAccessFile(lockFile.toFile(), "rw").getChannel();
        FileLock lock = channel.tryLock()) {
      if (lock == null) {
        throw new IllegalStateException(
            "the database in "
                + dataDir
                + " is in use by another running node; stop it or choose another ORCH_DATA_DIR");
      }
      Optional<ProcessHandle> orphan = postmaster(pidFile);
      if (orphan.isEmpty()) {
        return;
      }
      ProcessHandle process = orphan.get();
      log.warn(
          "Found PostgreSQL (pid {}) left running by a node that did not stop cleanly; stopping it",
          process.pid());
      process.destroy();
      if (!exited(process)) {
        log.warn("PostgreSQL (pid {}) did not stop in time; killing it", process.pid());
        process.destroyForcibly();
        if (!exited(process)) {
          throw new IllegalStateException(
              "PostgreSQL (pid "
                  + process.pid()
                  + ") left by an earlier node does not stop; stop it by hand and start again");
        }
      }
    } catch (java.nio.channels.OverlappingFileLockException e) {
      throw inUseByThisProcess(dataDir, e);
    }
  }

  private static boolean exited(ProcessHandle process) {
    try {
      process.onExit().get(ORPHAN_STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return false;
    }
  }

  private static Optional<ProcessHandle> postmaster(Path pidFile) throws IOException {
    List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      return Optional.empty();
    }
    long pid;
    try {
      pid = Long.parseLong(lines.get(0).trim());
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(false));
  }
}
