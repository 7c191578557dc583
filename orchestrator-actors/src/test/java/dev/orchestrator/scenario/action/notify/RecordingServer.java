package dev.orchestrator.scenario.action.notify;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP server on a free loopback port that keeps every request it gets. {@code /ok} answers
 * 200 {@code accepted}, {@code /status/N} answers N with a long body, {@code /big} answers 100 KiB,
 * {@code /silent} never answers (until the server stops).
 */
final class RecordingServer implements AutoCloseable {
  /** What a request brought; header names in lower case. */
  record Received(String method, String path, Map<String, String> headers, String body) {}

  static final String LONG_ERROR = "gateway down: " + "x".repeat(1000);

  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
  private final CountDownLatch stopping = new CountDownLatch(1);
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final HttpServer server;

  RecordingServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(pool);
    server.createContext("/ok", exchange -> respond(record(exchange), 200, "accepted"));
    server.createContext(
        "/status/",
        exchange -> {
          String path = record(exchange).getRequestURI().getPath();
          respond(
              exchange, Integer.parseInt(path.substring(path.lastIndexOf('/') + 1)), LONG_ERROR);
        });
    server.createContext("/big", exchange -> respond(record(exchange), 200, "y".repeat(100_000)));
    server.createContext(
        "/silent",
        exchange -> {
          record(exchange);
          try {
            stopping.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          exchange.close();
        });
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /** The next request, waiting up to 5 s for it; null when none came. */
  Received next() throws InterruptedException {
    return received.poll(5, TimeUnit.SECONDS);
  }

  /** The next request if one comes within {@code wait}; null otherwise. */
  Received next(Duration wait) throws InterruptedException {
    return received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  private HttpExchange record(HttpExchange exchange) throws IOException {
    Map<String, String> headers = new TreeMap<>();
    exchange
        .getRequestHeaders()
        .forEach((name, values) -> headers.put(name.toLowerCase(), String.join(",", values)));
    received.add(
        new Received(
            exchange.getRequestMethod(),
            exchange.getRequestURI().getPath(),
            headers,
            new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
    return exchange;
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    stopping.countDown();
    server.stop(0);
    pool.shutdownNow();
  }
}
