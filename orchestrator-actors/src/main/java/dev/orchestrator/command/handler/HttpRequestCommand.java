package dev.orchestrator.command.handler;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.command.spi.CommandContext;
import dev.orchestrator.command.spi.CommandHandler;
import dev.orchestrator.command.spi.PermanentFailure;
import dev.orchestrator.http.CappedBody;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code http_request}: {@code {"method": "POST", "url": "https://...", "body": ..., "headers":
 * {...}, "expectStatus": 201}} sends one HTTP request with a shared, non-blocking {@link
 * HttpClient} and answers {@code {"status", "body", "headers", "truncated"}}.
 *
 * <ul>
 *   <li>{@code method} defaults to GET; {@code url} must be http or https.
 *   <li>{@code body}: a JSON string is sent as it is; any other JSON value is sent as JSON, with
 *       {@code Content-Type: application/json} unless {@code headers} name one.
 *   <li>The request must be answered by the attempt's deadline.
 *   <li>The response body is read as text (its charset, else UTF-8), at most 64 KiB of it; {@code
 *       truncated} tells whether there was more. Header names are lower-case.
 *   <li>Without {@code expectStatus}: a 5xx answer or a network error fails the attempt (it is
 *       retried), a 4xx answer fails the command ({@link PermanentFailure}), anything else
 *       succeeds. With {@code expectStatus}: that status succeeds, any other fails the attempt.
 *   <li>Cancelling the attempt aborts the request.
 * </ul>
 */
public final class HttpRequestCommand
    implements CommandHandler<HttpRequestCommand.Input, HttpRequestCommand.Output> {

  public static final int MAX_BODY_BYTES = 64 * 1024;
  private static final Duration MAX_TIMEOUT = Duration.ofHours(24);
  private static final Pattern METHOD = Pattern.compile("[A-Za-z]{1,20}");
  private static final int SNIPPET = 200;

  /**
   * @param method GET when missing
   * @param url an absolute http or https URL
   * @param body a JSON string is sent as text, other JSON as JSON; none when missing
   * @param headers request headers
   * @param expectStatus the only status that counts as success, if given
   */
  public record Input(
      String method,
      String url,
      JsonNode body,
      Map<String, String> headers,
      Integer expectStatus) {}

  /**
   * @param body the response body as text, cut after {@link #MAX_BODY_BYTES} bytes
   * @param headers the response headers, names in lower case
   * @param truncated the body was longer than {@link #MAX_BODY_BYTES}
   */
  public record Output(
      int status, String body, Map<String, List<String>> headers, boolean truncated) {}

  /** An attempt that failed in a way that may work next time: 5xx, network, timeout. */
  public static final class RequestFailed extends RuntimeException {
    private final int status;

    public RequestFailed(String message, int status, Throwable cause) {
      super(message, cause);
      this.status = status;
    }

    /** The response's status, or 0 when there was none. */
    public int status() {
      return status;
    }
  }

  private static final class SharedClient {
    static final HttpClient CLIENT =
        HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  private final HttpClient client;

  /** With the client shared by all instances (created on first use). */
  public HttpRequestCommand() {
    this.client = null;
  }

  /** With a client of one's own (proxy, TLS, authenticator...). */
  public HttpRequestCommand(HttpClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  private HttpClient client() {
    return client != null ? client : SharedClient.CLIENT;
  }

  @Override
  public Class<Input> inputType() {
    return Input.class;
  }

  @Override
  public CompletionStage<Output> handle(Input input, CommandContext context) {
    HttpRequest.Builder builder;
    String what;
    try {
      if (input == null) {
        throw new PermanentFailure("http_request needs {\"method\", \"url\", \"body\"?}");
      }
      URI uri = parseUrl(input.url());
      String method = method(input.method());
      what = method + " " + describe(uri);
      builder = request(uri, method, input);
    } catch (PermanentFailure e) {
      return CompletableFuture.failedFuture(e);
    }
    if (context.isCancelled()) {
      return CompletableFuture.failedFuture(
          new CancellationException(what + " cancelled before it started"));
    }
    Duration left = Duration.between(Instant.now(), context.deadline());
    if (left.isNegative() || left.isZero()) {
      return CompletableFuture.failedFuture(
          new RequestFailed(
              what + ": the attempt's deadline passed before the request started", 0, null));
    }
    if (left.compareTo(MAX_TIMEOUT) > 0) {
      left = MAX_TIMEOUT;
    }
    long leftMillis = left.toMillis();
    HttpRequest request;
    CompletableFuture<HttpResponse<CappedBody.Text>> exchange;
    try {
      request = builder.timeout(left).build();
      exchange = client().sendAsync(request, info -> new CappedBody(MAX_BODY_BYTES, charset(info)));
    } catch (IllegalArgumentException | IllegalStateException e) {
      return CompletableFuture.failedFuture(new PermanentFailure(what + ": " + e.getMessage(), e));
    }

    CompletableFuture<Output> result = new CompletableFuture<>();
    // The client's timeout ends at the response headers; this one covers the body too.
    ScheduledFuture<?> timer =
        Timers.schedule(
            () -> {
              if (result.completeExceptionally(timedOut(what, leftMillis, null))) {
                exchange.cancel(true);
              }
            },
            left.toNanos(),
            TimeUnit.NANOSECONDS);
    exchange.whenComplete(
        (response, error) -> {
          timer.cancel(false);
          if (error != null) {
            result.completeExceptionally(failure(what, leftMillis, unwrap(error)));
          } else {
            try {
              result.complete(judge(what, response, input.expectStatus()));
            } catch (RuntimeException e) {
              result.completeExceptionally(e);
            }
          }
        });
    context
        .cancelled()
        .whenComplete(
            (ignored, error) -> {
              if (result.completeExceptionally(new CancellationException(what + " cancelled"))) {
                timer.cancel(false);
                exchange.cancel(true);
              }
            });
    return result;
  }

  private static URI parseUrl(String url) {
    if (url == null || url.isBlank()) {
      throw new PermanentFailure("http_request needs a url, such as \"https://example.com/\"");
    }
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new PermanentFailure("http_request url is not a URL: " + e.getMessage(), e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new PermanentFailure(
          "http_request supports only http and https URLs, not '"
              + (uri.getScheme() == null ? url : uri.getScheme() + ":")
              + "'");
    }
    if (uri.getHost() == null || uri.getHost().isEmpty()) {
      throw new PermanentFailure("http_request url has no host: " + url);
    }
    return uri;
  }

  private static String method(String method) {
    if (method == null) {
      return "GET";
    }
    if (!METHOD.matcher(method).matches()) {
      throw new PermanentFailure(
          "http_request method '" + method + "' is not an HTTP method such as GET or POST");
    }
    return method.toUpperCase(Locale.ROOT);
  }

  private static HttpRequest.Builder request(URI uri, String method, Input input) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
    if (uri.getScheme().equalsIgnoreCase("http")) {
      builder.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade dance in plain text
    }
    boolean contentType = false;
    if (input.headers() != null) {
      for (Map.Entry<String, String> header : input.headers().entrySet()) {
        String name = header.getKey();
        if (name == null || name.isBlank() || header.getValue() == null) {
          throw new PermanentFailure(
              "http_request header '" + name + "' needs a name and a string value");
        }
        try {
          builder.header(name, header.getValue());
        } catch (IllegalArgumentException e) {
          throw new PermanentFailure(
              "http_request header '" + name + "' cannot be set: " + e.getMessage(), e);
        }
        contentType |= name.equalsIgnoreCase("content-type");
      }
    }
    JsonNode body = input.body();
    HttpRequest.BodyPublisher publisher;
    if (body == null || body.isNull() || body.isMissingNode()) {
      publisher = HttpRequest.BodyPublishers.noBody();
    } else if (body.isTextual()) {
      publisher = HttpRequest.BodyPublishers.ofString(body.textValue(), StandardCharsets.UTF_8);
    } else {
      publisher = HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8);
      if (!contentType) {
        builder.header("Content-Type", "application/json");
      }
    }
    try {
      builder.method(method, publisher);
    } catch (IllegalArgumentException e) {
      throw new PermanentFailure(
          "http_request method '" + method + "' cannot be used: " + e.getMessage(), e);
    }
    return builder;
  }

  private static Output judge(
      String what, HttpResponse<CappedBody.Text> response, Integer expectStatus) {
    int status = response.statusCode();
    CappedBody.Text body = response.body();
    if (expectStatus != null) {
      if (status != expectStatus) {
        throw new RequestFailed(
            what + " answered " + status + ", expected " + expectStatus + snippet(body),
            status,
            null);
      }
    } else if (status >= 500) {
      throw new RequestFailed(what + " answered " + status + snippet(body), status, null);
    } else if (status >= 400) {
      throw new PermanentFailure(what + " answered " + status + snippet(body));
    }
    Map<String, List<String>> headers = new TreeMap<>();
    response
        .headers()
        .map()
        .forEach(
            (name, values) -> {
              if (!name.startsWith(":")) {
                headers.merge(
                    name.toLowerCase(Locale.ROOT),
                    List.copyOf(values),
                    (a, b) -> {
                      List<String> all = new ArrayList<>(a);
                      all.addAll(b);
                      return List.copyOf(all);
                    });
              }
            });
    return new Output(status, body.text(), headers, body.truncated());
  }

  private static RuntimeException failure(String what, long leftMillis, Throwable error) {
    if (error instanceof HttpConnectTimeoutException) {
      return new RequestFailed(what + ": could not connect in time", 0, error);
    }
    if (error instanceof HttpTimeoutException) {
      return timedOut(what, leftMillis, error);
    }
    if (error instanceof PermanentFailure permanent) {
      return permanent;
    }
    // IOException and the rest: connection refused or reset, DNS, TLS... may work next time.
    return new RequestFailed(what + " failed: " + error, 0, error);
  }

  private static RequestFailed timedOut(String what, long leftMillis, Throwable cause) {
    return new RequestFailed(
        what + ": no complete response within " + leftMillis + " ms (the attempt's deadline)",
        0,
        cause);
  }

  private static Throwable unwrap(Throwable error) {
    while ((error instanceof CompletionException || error instanceof ExecutionException)
        && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }

  /** The URL without user info and query, for messages that end up in the journal. */
  private static String describe(URI uri) {
    String port = uri.getPort() < 0 ? "" : ":" + uri.getPort();
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    return uri.getScheme() + "://" + uri.getHost() + port + path;
  }

  private static String snippet(CappedBody.Text body) {
    if (body == null || body.text().isBlank()) {
      return "";
    }
    String text = body.text().strip().replaceAll("\\s+", " ");
    return ": " + (text.length() > SNIPPET ? text.substring(0, SNIPPET) + "…" : text);
  }

  private static Charset charset(HttpResponse.ResponseInfo info) {
    HttpHeaders headers = info.headers();
    String type = headers.firstValue("content-type").orElse("");
    for (String part : type.split(";")) {
      String p = part.strip();
      if (p.regionMatches(true, 0, "charset=", 0, 8)) {
        String name = p.substring(8).strip().replace("\"", "");
        try {
          return Charset.forName(name);
        } catch (RuntimeException e) {
          return StandardCharsets.UTF_8;
        }
      }
    }
    return StandardCharsets.UTF_8;
  }
}
