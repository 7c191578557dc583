package dev.orchestrator.bench.failover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The partition run's network through {@code bench/failover/netns.sh}: up, cut, heal, down. The
 * script holds every {@code ip} and {@code iptables} command, so that run.sh's exit trap can tear
 * the network down with the same script when this JVM cannot.
 */
final class Netns implements AutoCloseable {
  private final Path script;
  private final Path envFile;
  private final String prefix;
  private final String subnet;
  private final int nodes;
  private boolean up;
  private int cut = -1;

  /**
   * {@code envFile} records the network while it is up, for run.sh's exit trap ({@code
   * BENCH_NETNS_PREFIX}, {@code BENCH_NETNS_SUBNET}, {@code BENCH_NETNS_NODES}).
   */
  Netns(Path script, Path envFile, String prefix, String subnet, int nodes) {
    this.script = script;
    this.envFile = envFile;
    this.prefix = prefix;
    this.subnet = subnet;
    this.nodes = nodes;
  }

  void up() throws IOException, InterruptedException {
    java.nio.file.Files.writeString(
        envFile,
        "BENCH_NETNS_PREFIX=" + prefix + "\nBENCH_NETNS_SUBNET=" + subnet
            + "\nBENCH_NETNS_NODES=" + nodes + "\n");
    up = true;
    run("up", Integer.toString(nodes));
  }

  /** Node {@code i} cut off from the other nodes (iptables DROP, both directions). */
  void cut(int i) throws IOException, InterruptedException {
    run("cut", Integer.toString(i), Integer.toString(nodes));
    cut = i;
  }

  void heal(int i) throws IOException, InterruptedException {
    run("heal", Integer.toString(i));
    cut = -1;
  }

  private void run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", script.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
    pb.environment().put("BENCH_NETNS_PREFIX", prefix);
    pb.environment().put("BENCH_NETNS_SUBNET", subnet);
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("netns.sh " + String.join(" ", args) + " failed: " + output);
    }
  }

  /** Heals a partition left in place; the network itself goes with {@link #down}. */
  @Override
  public void close() {
    if (cut >= 0) {
      try {
        heal(cut);
      } catch (IOException | InterruptedException e) {
        System.err.println("bench: could not heal the partition: " + e.getMessage());
      }
    }
  }

  /** Every process left in the namespaces stopped, the namespaces and the bridge deleted. */
  void down() {
    if (!up) {
      return;
    }
    try {
      run("down", Integer.toString(nodes));
      up = false;
      java.nio.file.Files.deleteIfExists(envFile);
    } catch (IOException | InterruptedException e) {
      System.err.println("bench: could not remove the network namespaces: " + e.getMessage());
    }
  }
}
