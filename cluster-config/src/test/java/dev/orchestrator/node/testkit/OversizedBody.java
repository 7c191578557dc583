package dev.orchestrator.node.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;

/**
 * Sends a request whose body is over the gateway's 1 MiB limit the way a careful client does: it
 * writes the body on one thread and reads the answer on another, so that the 413 the gateway sends
 * before it has read the body is read even though the gateway then closes the connection. The JDK's
 * client, still writing when the connection closes, sometimes reports that as "received no bytes"
 * and loses the answer (seen once in about ten full builds), which made every 413 test flaky.
 */
public final class OversizedBody {
  /** The gateway's limit ({@code akka.http.server.parsing.max-content-length}). */
  private static final int LIMIT = 1024 * 1024;

  private OversizedBody() {}

  /**
   * Whether {@code body} is over the gateway's limit, so that it must be sent with {@link #send}.
   */
  public static boolean applies(String body) {
    return body != null && body.length() > LIMIT;
  }

  /** Sends {@code request} (its method, URI and headers) with {@code body}, over HTTP/1.1. */
  public static HttpResponse<String> send(HttpRequest request, String body) {
    URI uri = request.uri();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder();
    head.append(request.method())
        .append(' ')
        .append(uri.getRawPath())
        .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
        .append(" HTTP/1.1\r\nHost: ")
        .append(uri.getHost())
        .append(':')
        .append(uri.getPort())
        .append("\r\nContent-Length: ")
        .append(bytes.length)
        .append("\r\nConnection: close\r\n");
    request
        .headers()
        .map()
        .forEach((name, values) -> values.forEach(v -> head.append(name + ": " + v + "\r\n")));
    head.append("\r\n");
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      CompletableFuture<Void> writing =
          CompletableFuture.runAsync(
              () -> {
                try {
                  out.write(head.toString().getBytes(StandardCharsets.US_ASCII));
                  out.write(bytes);
                  out.flush();
                } catch (IOException closedEarly) {
                  // The gateway answered and closed before taking the whole body: expected.
                }
              });
      byte[] answer = readAll(socket.getInputStream());
      writing.get(30, TimeUnit.SECONDS);
      return parse(request, new String(answer, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        answer.write(buffer, 0, n);
      }
    } catch (IOException reset) {
      // A reset after the answer: keep what arrived.
      if (answer.size() == 0) {
        throw reset;
      }
    }
    return answer.toByteArray();
  }

  private static HttpResponse<String> parse(HttpRequest request, String answer) {
    int end = answer.indexOf("\r\n\r\n");
    if (end < 0) {
      throw new IllegalStateException("no complete answer: " + answer);
    }
    String[] lines = answer.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers
          .computeIfAbsent(lines[i].substring(0, colon).trim(), k -> new ArrayList<>())
          .add(lines[i].substring(colon + 1).trim());
    }
    return new Answer(
        request, status, HttpHeaders.of(headers, (k, v) -> true), answer.substring(end + 4));
  }

  private record Answer(HttpRequest request, int statusCode, HttpHeaders headers, String body)
      implements HttpResponse<String> {
    @Override
    public Optional<HttpResponse<String>> previousResponse() {
      return Optional.empty();
    }

    @Override
    public Optional<SSLSession> sslSession() {
      return Optional.empty();
    }

    @Override
    public URI uri() {
      return request.uri();
    }

    @Override
    public HttpClient.Version version() {
      return HttpClient.Version.HTTP_1_1;
    }
  }
}
