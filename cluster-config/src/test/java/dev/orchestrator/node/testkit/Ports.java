package dev.orchestrator.node.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports on the loopback interface, for nodes started by tests.
 *
 * <p>Chosen below Linux's ephemeral range (32768-60999 by default): a port the kernel hands out for
 * {@code bind(0)} is from that range, and so are the local ports of every outgoing connection. A
 * node binds its HTTP port seconds after the test chose it (after its database and actor system
 * started), and in between one of its own JDBC connections once took that port ("Address already in
 * use" in CommandRestartTest). Below the range only tests choose ports, and each is checked free
 * when chosen.
 */
public final class Ports {
  private static final int FROM = 20_000;
  private static final int UNTIL = 32_000;
  private static final int TRIES = 100;

  private Ports() {}

  public static int free() {
    for (int i = 0; i < TRIES; i++) {
      int port = ThreadLocalRandom.current().nextInt(FROM, UNTIL);
      if (bindable(port)) {
        return port;
      }
    }
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
