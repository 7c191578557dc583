package dev.orchestrator.bench.commands;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * {@code $OUT/children.pid}: the child processes a bench JVM started, one {@code what pid marker}
 * line each, for bench/lib.sh to stop if the JVM dies without its shutdown hook (kill -9).
 */
public final class ChildPids {
  private final Path file;

  private ChildPids(Path file) {
    this.file = file;
  }

  /** A fresh, empty list in {@code outDir}. */
  public static ChildPids in(Path outDir) throws IOException {
    Files.createDirectories(outDir);
    Path file = outDir.resolve("children.pid");
    Files.deleteIfExists(file);
    return new ChildPids(file);
  }

  public void add(String what, long pid, String marker) {
    try {
      Files.writeString(
          file,
          what + " " + pid + " " + marker + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      // run.sh's cleanup is a last resort only
    }
  }

  /** After the JVM stopped its children itself. */
  public void clear() {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // ignore
    }
  }

  /**
   * The whole run may not take longer than {@code minutes}, whatever hangs: then exit 3 (the
   * shutdown hook stops the children).
   */
  public static void watchdog(int minutes) {
    Thread t =
        new Thread(
            () -> {
              Machine.parkUntil(System.nanoTime() + minutes * 60_000_000_000L);
              System.err.println(
                  "bench: hard deadline of " + minutes + " min reached; stopping everything");
              System.exit(3);
            },
            "bench-watchdog");
    t.setDaemon(true);
    t.start();
  }
}
