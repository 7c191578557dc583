package dev.orchestrator.bench.failover;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The lines of a node's log that tell what a partition round did on that node (members marked
 * unreachable, split brain resolver decisions, removals, the singleton's lease and start, the node
 * leaving on its own), each with its time
 * relative to the partition. The log's lines start with {@code HH:mm:ss.SSS} (logback.xml): the
 * nodes and the bench share one clock.
 */
final class LogTimeline {
  private static final Pattern WANTED =
      Pattern.compile(
          "Marking node as UNREACHABLE|SBR took decision|Leader is removing"
              + "|Orchestrator singleton started|Lease \\S+ (acquired|released)|Lease .* lost"
              + "|without being asked");
  private static final long DAY_MS = 86_400_000L;
  private static final String LEASE_NAME =
      "orchestrator-singleton-akka://orchestrator/system/singletonManagerorchestrator";

  private LogTimeline() {}

  /** A line {@code relMs} after the partition (negative: before). */
  record Line(long relMs, int node, String text) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%+8.2f s  node %d: %s", relMs / 1000.0, node, text);
    }
  }

  /** The log's size now: where a round starts reading. */
  static long mark(Path log) {
    try {
      return Files.size(log);
    } catch (IOException e) {
      return 0;
    }
  }

  /**
   * The wanted lines of node {@code node}'s log from {@code offset}, timed relative to {@code
   * originMsOfDay} (the partition's local time of day in ms), with {@code names} applied to the
   * text (member addresses to node numbers).
   */
  static List<Line> read(
      Path log, int node, long offset, long originMsOfDay, UnaryOperator<String> names) {
    List<Line> out = new ArrayList<>();
    byte[] bytes;
    try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
      long length = f.length();
      if (length <= offset) {
        return out;
      }
      bytes = new byte[(int) Math.min(length - offset, 64L << 20)];
      f.seek(offset);
      f.readFully(bytes);
    } catch (IOException e) {
      return out;
    }
    for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
      if (line.length() < 13 || !WANTED.matcher(line).find()) {
        continue;
      }
      long at;
      try {
        at = LocalTime.parse(line.substring(0, 12)).toNanoOfDay() / 1_000_000;
      } catch (DateTimeParseException e) {
        continue;
      }
      long rel = at - originMsOfDay;
      if (rel > DAY_MS / 2) {
        rel -= DAY_MS;
      } else if (rel < -DAY_MS / 2) {
        rel += DAY_MS;
      }
      String text =
          names.apply(
              line.substring(13)
                  .replaceFirst("^\\S+\\s+\\S+\\s+\\[[^]]*\\] - ", "")
                  .replaceFirst("^Cluster Node \\[[^]]*\\] - ", "")
                  .replace(LEASE_NAME, "(singleton)"));
      out.add(new Line(rel, node, shorten(text)));
    }
    return out;
  }

  static long nowMsOfDay() {
    return LocalTime.now().toNanoOfDay() / 1_000_000;
  }

  private static String shorten(String text) {
    return text.length() <= 160 ? text : text.substring(0, 157) + "...";
  }
}
