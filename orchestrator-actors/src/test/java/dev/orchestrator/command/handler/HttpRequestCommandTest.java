package dev.orchestrator.command.handler;

import static dev.orchestrator.command.handler.Outcomes.await;
import static dev.orchestrator.command.handler.Outcomes.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.orchestrator.command.handler.HttpRequestCommand.Input;
import dev.orchestrator.command.handler.HttpRequestCommand.Output;
import dev.orchestrator.command.handler.HttpRequestCommand.RequestFailed;
import dev.orchestrator.command.spi.PermanentFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpRequestCommandTest {
  private final HttpRequestCommand http = new HttpRequestCommand();
  private final CountDownLatch slowArrived = new CountDownLatch(1);
  private final CountDownLatch releaseSlow = new CountDownLatch(1);
  private HttpServer server;
  private ExecutorService pool;
  private String base;

  @BeforeEach
  void startServer() throws IOException {
    pool = Executors.newCachedThreadPool();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(pool);
    server.createContext(
        "/echo",
        exchange -> {
          String body =
              new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
          var headers = exchange.getResponseHeaders();
          headers.add("Content-Type", "text/plain; charset=utf-8");
          headers.add("X-Echo", String.valueOf(exchange.getRequestHeaders().getFirst("X-Test")));
          headers.add(
              "X-Request-Content-Type",
              String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
          headers.add("X-Multi", "one");
          headers.add("X-Multi", "two");
          respond(exchange, 200, exchange.getRequestMethod() + " " + body);
        });
    server.createContext(
        "/status/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          int status = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
          respond(exchange, status, "status " + status + " on purpose");
        });
    server.createContext(
        "/slow",
        exchange -> {
          slowArrived.countDown();
          try {
            releaseSlow.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          respond(exchange, 200, "late");
        });
    server.createContext("/big", exchange -> respond(exchange, 200, "x".repeat(100 * 1024)));
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stopServer() {
    releaseSlow.countDown();
    server.stop(0);
    pool.shutdownNow();
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static Input get(String url) {
    return new Input("GET", url, null, null, null);
  }

  @Test
  void echoesStatusBodyAndHeaders() throws Exception {
    Output out =
        await(
            http.handle(
                new Input(
                    "post", base + "/echo", new TextNode("hello ✓"), Map.of("X-Test", "abc"), null),
                TestContext.first()));
    assertEquals(200, out.status());
    assertEquals("POST hello ✓", out.body());
    assertFalse(out.truncated());
    assertEquals(List.of("abc"), out.headers().get("x-echo"));
    assertEquals(List.of("one", "two"), out.headers().get("x-multi"));
    assertEquals(List.of("null"), out.headers().get("x-request-content-type"));
    assertTrue(out.headers().keySet().stream().allMatch(k -> k.equals(k.toLowerCase())));
  }

  @Test
  void jsonBodiesAreSentAsJson() throws Exception {
    JsonNode body = JsonNodeFactory.instance.objectNode().put("k", 1);
    Output out =
        await(http.handle(new Input("PUT", base + "/echo", body, null, null), TestContext.first()));
    assertEquals("PUT {\"k\":1}", out.body());
    assertEquals(List.of("application/json"), out.headers().get("x-request-content-type"));
  }

  @Test
  void methodDefaultsToGet() throws Exception {
    Output out =
        await(http.handle(new Input(null, base + "/echo", null, null, null), TestContext.first()));
    assertEquals("GET ", out.body());
  }

  @Test
  void serverErrorsFailTheAttempt() {
    Throwable e = failure(http.handle(get(base + "/status/503"), TestContext.first()));
    assertInstanceOf(RequestFailed.class, e);
    assertEquals(503, ((RequestFailed) e).status());
    assertTrue(e.getMessage().contains("503"), e.getMessage());
    assertTrue(e.getMessage().contains("status 503 on purpose"), e.getMessage());
  }

  @Test
  void clientErrorsFailForGood() {
    Throwable e = failure(http.handle(get(base + "/status/404"), TestContext.first()));
    assertInstanceOf(PermanentFailure.class, e);
    assertTrue(e.getMessage().contains("404"), e.getMessage());
  }

  @Test
  void expectStatusDecides() throws Exception {
    Output notFound =
        await(
            http.handle(
                new Input("GET", base + "/status/404", null, null, 404), TestContext.first()));
    assertEquals(404, notFound.status());
    Throwable wrong =
        failure(
            http.handle(new Input("GET", base + "/echo", null, null, 201), TestContext.first()));
    assertInstanceOf(RequestFailed.class, wrong);
    assertTrue(wrong.getMessage().contains("expected 201"), wrong.getMessage());
    Throwable clientError =
        failure(
            http.handle(
                new Input("GET", base + "/status/400", null, null, 201), TestContext.first()));
    assertInstanceOf(RequestFailed.class, clientError);
  }

  @Test
  void badInputFailsForGood() {
    for (Input input :
        new Input[] {
          get("ftp://127.0.0.1/x"),
          get("file:///etc/passwd"),
          get("127.0.0.1/no-scheme"),
          get("http://"),
          get("http://bad host/"),
          get(null),
          new Input("GE T", base + "/echo", null, null, null),
          new Input("CONNECT", base + "/echo", null, null, null),
          new Input("GET", base + "/echo", null, Map.of("Host", "evil"), null),
          new Input("GET", base + "/echo", null, Map.of("Bad Header", "x"), null),
          null
        }) {
      Throwable e = failure(http.handle(input, TestContext.first()));
      assertInstanceOf(PermanentFailure.class, e, String.valueOf(input));
    }
    Throwable scheme = failure(http.handle(get("ftp://127.0.0.1/x"), TestContext.first()));
    assertTrue(scheme.getMessage().contains("http and https"), scheme.getMessage());
  }

  @Test
  void longBodiesAreCut() throws Exception {
    Output out = await(http.handle(get(base + "/big"), TestContext.first()));
    assertEquals(HttpRequestCommand.MAX_BODY_BYTES, out.body().length());
    assertTrue(out.truncated());
  }

  @Test
  void connectionErrorsFailTheAttempt() throws Exception {
    int port;
    try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = closed.getLocalPort();
    }
    Throwable e = failure(http.handle(get("http://127.0.0.1:" + port + "/"), TestContext.first()));
    assertInstanceOf(RequestFailed.class, e);
    assertFalse(e instanceof PermanentFailure);
  }

  @Test
  void theDeadlineEndsTheRequest() throws Exception {
    long started = System.nanoTime();
    CompletionStage<Output> slow =
        http.handle(get(base + "/slow"), new TestContext(1, Duration.ofMillis(400)));
    Throwable e = failure(slow, 10);
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertInstanceOf(RequestFailed.class, e);
    assertTrue(e.getMessage().contains("deadline"), e.getMessage());
    assertTrue(slowArrived.await(1, TimeUnit.SECONDS));
    assertTrue(took >= 300 && took < 5_000, "took " + took + " ms");

    Throwable late =
        failure(http.handle(get(base + "/echo"), new TestContext(1, Duration.ofMillis(-1))));
    assertInstanceOf(RequestFailed.class, late);
  }

  /** A raw socket sees whether the client really drops the connection. */
  @Test
  void cancellingAbortsTheRequest() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      TestContext context = TestContext.first();
      CompletionStage<Output> request =
          http.handle(get("http://127.0.0.1:" + listener.getLocalPort() + "/hang"), context);
      listener.setSoTimeout(10_000);
      try (Socket socket = listener.accept()) {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        String head = readHead(in);
        assertTrue(head.startsWith("GET /hang HTTP/1.1"), head);
        assertFalse(request.toCompletableFuture().isDone());

        long started = System.nanoTime();
        context.cancel();
        assertInstanceOf(CancellationException.class, failure(request, 2));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(took < 1_000, "took " + took + " ms");

        CompletableFuture<Boolean> closed = new CompletableFuture<>();
        try {
          closed.complete(in.read() == -1);
        } catch (SocketTimeoutException e) {
          closed.complete(false);
        } catch (IOException reset) {
          closed.complete(true);
        }
        assertTrue(closed.get(), "the client kept the connection open");
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString();
  }
}
