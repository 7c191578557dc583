package dev.orchestrator.bench.failover;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the node JVMs of a {@link LocalCluster} run and how they reach PostgreSQL: all on
 * 127.0.0.1 (the kill run), or each in its own network namespace made by {@code
 * bench/failover/netns.sh} (the partition run): node {@code i} at {@code <subnet>.<10+i>} in
 * namespace {@code <prefix><i>}, started through {@code ip netns exec}, PostgreSQL in the host
 * namespace at the bridge's address {@code <subnet>.1}.
 *
 * @param namespacePrefix null on loopback
 * @param subnet the first three octets of the namespaces' /24, such as {@code 10.231.0}
 */
record Placement(String namespacePrefix, String subnet) {

  static Placement loopback() {
    return new Placement(null, null);
  }

  static Placement namespaces(String prefix, String subnet) {
    return new Placement(prefix, subnet);
  }

  boolean isolated() {
    return namespacePrefix != null;
  }

  /** The address node {@code i} binds Akka remoting and HTTP to, and is reached at. */
  String host(int i) {
    return isolated() ? subnet + "." + (10 + i) : "127.0.0.1";
  }

  /** Where the nodes reach PostgreSQL. */
  String dbHost() {
    return isolated() ? subnet + ".1" : "127.0.0.1";
  }

  /** The clients PostgreSQL must let in besides loopback (pg_hba.conf), or null. */
  String dbClients() {
    return isolated() ? subnet + ".0/24" : null;
  }

  /**
   * Configures the stopped PostgreSQL in {@code dataDir} to listen on {@link #dbHost} too, to let
   * {@link #dbClients} in, and to keep its own log ({@code log/}: every refused journal write is
   * there). Takes effect at its next start.
   */
  void letNodesIn(Path dataDir) throws IOException {
    Files.writeString(
        dataDir.resolve("postgresql.auto.conf"),
        "listen_addresses = '127.0.0.1," + dbHost() + "'\n"
            + "logging_collector = on\n"
            + "log_directory = 'log'\n"
            + "log_line_prefix = '%m [%p] '\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
    Files.writeString(
        dataDir.resolve("pg_hba.conf"),
        "host all all " + dbClients() + " trust\n",
        StandardCharsets.UTF_8,
        StandardOpenOption.APPEND);
  }

  String namespace(int i) {
    return namespacePrefix + i;
  }

  /** {@code command} as it must be started for node {@code i}: in its namespace, if any. */
  List<String> wrap(int i, List<String> command) {
    if (!isolated()) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", namespace(i)));
    wrapped.addAll(command);
    return wrapped;
  }
}
