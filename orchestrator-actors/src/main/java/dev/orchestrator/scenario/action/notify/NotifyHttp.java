package dev.orchestrator.scenario.action.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orchestrator.http.CappedBody;
import dev.orchestrator.scenario.action.ActionFailed;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/**
 * The one non-blocking HTTP client of {@code send_sms} and {@code webhook}, and what a POST means
 * for them: answered by the action's deadline with a 2xx status, else an {@link ActionFailed} that
 * says what happened. Redirects are not followed (a 3xx fails like any other status). Messages show
 * URLs without user info and query, which may hold secrets.
 */
final class NotifyHttp {
  /** How much of a response body the result keeps. */
  static final int KEPT_BODY_BYTES = 4096;

  /** How much of a response body a failure message shows. */
  static final int SNIPPET_CHARS = 200;

  /** A 2xx answer. */
  record Answer(int status, CappedBody.Text body) {
    /** {@code {"status": 200, "body": "...", "truncated": false}} for the step's output. */
    JsonNode output() {
      ObjectNode node = JsonNodeFactory.instance.objectNode();
      node.put("status", status);
      node.put("body", body.text());
      node.put("truncated", body.truncated());
      return node;
    }
  }

  private final HttpClient client;

  NotifyHttp(HttpClient client) {
    this.client = client;
  }

  /** A client for {@link NotifyHttp}: no redirects; the action's deadline bounds each request. */
  static HttpClient newClient() {
    return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /**
   * POSTs {@code body} to {@code uri}.
   *
   * @param target how messages name the other side, such as {@code webhook https://host/path}
   * @param headers sent as they are; they take the place of the defaults of the same name
   * @param contentType the {@code Content-Type} unless {@code headers} set one
   * @param idempotencyKey the {@code Idempotency-Key} unless {@code headers} set one: the same when
   *     an attempt is made again after a crash, so that the other side can tell
   */
  CompletionStage<Answer> post(
      URI uri,
      String target,
      Map<String, String> headers,
      String contentType,
      String idempotencyKey,
      String body,
      Instant deadline) {
    Duration left = Deadlines.left(deadline);
    if (left.isNegative() || left.isZero()) {
      return CompletableFuture.failedFuture(
          new ActionFailed("the action's deadline passed before " + target + " was called"));
    }
    HttpRequest request;
    try {
      HttpRequest.Builder builder =
          HttpRequest.newBuilder(uri)
              .timeout(left)
              .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
      if ("http".equalsIgnoreCase(uri.getScheme())) {
        builder.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade in plain text
      }
      headers.forEach(builder::header);
      if (!has(headers, "Content-Type")) {
        builder.header("Content-Type", contentType);
      }
      if (!has(headers, "Idempotency-Key")) {
        builder.header("Idempotency-Key", idempotencyKey);
      }
      request = builder.build();
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(
          new ActionFailed("cannot build the request to " + target + ": " + e.getMessage()));
    }
    CompletableFuture<HttpResponse<CappedBody.Text>> exchange =
        client.sendAsync(request, info -> new CappedBody(KEPT_BODY_BYTES));
    CompletableFuture<Answer> result = new CompletableFuture<>();
    // The request's timeout ends at the response headers; this one covers the body too.
    exchange
        .copy()
        .orTimeout(left.toMillis(), TimeUnit.MILLISECONDS)
        .whenComplete(
            (response, error) -> {
              if (error != null) {
                exchange.cancel(true);
                result.completeExceptionally(failure(uri, target, left, error));
              } else if (response.statusCode() / 100 != 2) {
                result.completeExceptionally(
                    new ActionFailed(
                        "HTTP "
                            + response.statusCode()
                            + " from "
                            + target
                            + snippet(response.body().text())));
              } else {
                result.complete(new Answer(response.statusCode(), response.body()));
              }
            });
    return result;
  }

  /** The URL without user info, query and fragment, for messages and logs. */
  static String describe(URI uri) {
    return origin(uri) + (uri.getRawPath() == null ? "" : uri.getRawPath());
  }

  /** {@code scheme://host[:port]}: where a URL goes, without what may be secret. */
  static String origin(URI uri) {
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
  }

  private static ActionFailed failure(URI uri, String target, Duration left, Throwable error) {
    String address = uri.getHost() + ":" + port(uri);
    for (Throwable e = error; e != null; e = e.getCause()) {
      if (e instanceof TimeoutException || e instanceof HttpTimeoutException) {
        return new ActionFailed(
            "timed out after " + Deadlines.text(left) + " waiting for " + target, e);
      }
      if (e instanceof UnresolvedAddressException || e instanceof UnknownHostException) {
        return new ActionFailed("unknown host '" + uri.getHost() + "' (" + target + ")", e);
      }
      if (e instanceof ConnectException) {
        return new ActionFailed(
            "could not connect to "
                + address
                + " ("
                + target
                + "): "
                + (e.getMessage() == null ? "connection refused" : e.getMessage()),
            e);
      }
      if (e instanceof SSLException) {
        return new ActionFailed(
            "TLS with " + address + " failed (" + target + "): " + e.getMessage(), e);
      }
    }
    Throwable root = error;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return new ActionFailed("POST to " + target + " failed: " + root, error);
  }

  private static int port(URI uri) {
    if (uri.getPort() >= 0) {
      return uri.getPort();
    }
    return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
  }

  private static boolean has(Map<String, String> headers, String name) {
    return headers.keySet().stream().anyMatch(name::equalsIgnoreCase);
  }

  private static String snippet(String body) {
    String text = body.strip().replaceAll("\\s+", " ");
    if (text.isEmpty()) {
      return "";
    }
    return ": " + (text.length() > SNIPPET_CHARS ? text.substring(0, SNIPPET_CHARS) + "…" : text);
  }
}
