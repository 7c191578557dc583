package dev.orchestrator.component.driver.http;

import akka.actor.Cancellable;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orchestrator.component.driver.ComponentDriver;
import dev.orchestrator.component.driver.DriverException;
import dev.orchestrator.component.driver.DriverException.Kind;
import dev.orchestrator.component.driver.Observation;
import dev.orchestrator.protocol.avena.AvenaEvent;
import dev.orchestrator.protocol.avena.AvenaResult;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;

/**
 * The {@code http} driver of one component: speaks the avena event protocol to {@code
 * <endpoint>/event}. A request is a {@code POST} that the component answers with 2xx at once; its
 * reply, if any, comes later as a {@code POST /event} to this node's gateway, which hands it to the
 * {@link ReplyRouter}. Lifecycle commands wait for the 2xx only; {@code CMD_GET_STATE} and {@code
 * CMD_HEALTH_CHECK} wait for the reply, up to {@code reply-timeout}. Nothing blocks: the HTTP
 * client is asynchronous and deadlines are timers of the actor system's scheduler.
 */
final class HttpDriver implements ComponentDriver {
  private static final String EXPECTED_STATES =
      Arrays.toString(FsmState.values()).replace("[", "").replace("]", "");

  private final String componentId;
  private final URI eventUri;
  private final String host;
  private final int port;
  private final HttpDrivers shared;
  private final HttpDriverSettings settings;
  private final Set<Long> waiting = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  HttpDriver(String componentId, URI eventUri, HttpDrivers shared) {
    this.componentId = componentId;
    this.eventUri = eventUri;
    this.host = eventUri.getHost() != null ? eventUri.getHost() : authorityHost(eventUri);
    this.port =
        eventUri.getPort() >= 0
            ? eventUri.getPort()
            : "https".equalsIgnoreCase(eventUri.getScheme()) ? 443 : 80;
    this.shared = shared;
    this.settings = shared.settings();
  }

  @Override
  public CompletionStage<Void> send(LifecycleCommand command, long epoch) {
    if (closed) {
      return CompletableFuture.failedFuture(closedFailure());
    }
    AvenaEvent event = event(command.name(), epoch);
    shared.router().sentWithoutWaiting(event.id());
    return post(event);
  }

  @Override
  public CompletionStage<Observation> poll(long epoch) {
    return request(AvenaEvent.CMD_GET_STATE, epoch).thenApply(this::observation);
  }

  @Override
  public CompletionStage<JsonNode> healthCheck(long epoch) {
    return request(AvenaEvent.CMD_HEALTH_CHECK, epoch)
        .thenApply(
            reply -> {
              refusedUnlessSuccess(AvenaEvent.CMD_HEALTH_CHECK, reply);
              return reply.data();
            });
  }

  /** Stops waiting for this driver's replies; their waiters fail with UNREACHABLE. */
  @Override
  public void close() {
    closed = true;
    for (Long id : waiting.toArray(Long[]::new)) {
      shared.router().cancel(id, closedFailure());
    }
  }

  private CompletionStage<AvenaEvent> request(String eventType, long epoch) {
    if (closed) {
      return CompletableFuture.failedFuture(closedFailure());
    }
    AvenaEvent event;
    CompletableFuture<AvenaEvent> reply;
    while (true) {
      event = event(eventType, epoch);
      try {
        // Registered before the POST: a fast component may answer before its POST returns.
        reply = shared.router().expect(event.id(), settings.replyTimeout());
        break;
      } catch (IllegalStateException sameIdPending) {
        // a random id that another request waits with: draw again
      }
    }
    long id = event.id();
    if (reply.isDone()) {
      return reply;
    }
    waiting.add(id);
    reply.whenComplete((ok, failure) -> waiting.remove(id));
    post(event)
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                shared.router().cancel(id, unwrap(failure));
              }
            });
    return reply.thenApply(r -> r);
  }

  private AvenaEvent event(String eventType, long epoch) {
    ObjectNode data = JsonNodeFactory.instance.objectNode().put("epoch", epoch);
    return AvenaEvent.request(
        settings.source(),
        settings.callbackHost(),
        settings.callbackPort(),
        componentId,
        host,
        port,
        eventType,
        data,
        shared.nextId(),
        LocalDateTime.now());
  }

  /** POSTs the event; completes on 2xx, fails with a {@link DriverException} otherwise. */
  private CompletionStage<Void> post(AvenaEvent event) {
    String what = "POST " + eventUri + " (" + event.eventType() + ")";
    byte[] body;
    try {
      body = shared.mapper().writeValueAsBytes(event);
    } catch (JsonProcessingException e) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("cannot write " + event.eventType(), e));
    }
    HttpRequest request =
        HttpRequest.newBuilder(eventUri)
            .timeout(settings.requestTimeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    CompletableFuture<Void> result = new CompletableFuture<>();
    CompletableFuture<HttpResponse<Void>> exchange;
    try {
      exchange = shared.client().sendAsync(request, HttpResponse.BodyHandlers.discarding());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          new DriverException(Kind.UNREACHABLE, what + " could not start: " + e, e));
    }
    // The client's own timeout ends at the response headers; this one covers the body too.
    Duration deadline = settings.connectTimeout().plus(settings.requestTimeout());
    Cancellable timer =
        shared
            .system()
            .scheduler()
            .scheduleOnce(
                deadline,
                () -> {
                  if (result.completeExceptionally(
                      new DriverException(
                          Kind.TIMEOUT,
                          what + " not answered within " + deadline.toMillis() + " ms"))) {
                    exchange.cancel(true);
                  }
                },
                shared.system().executionContext());
    exchange.whenComplete(
        (response, failure) -> {
          timer.cancel();
          if (failure != null) {
            result.completeExceptionally(failure(what, unwrap(failure)));
          } else if (response.statusCode() / 100 != 2) {
            result.completeExceptionally(
                new DriverException(
                    Kind.REFUSED, what + " answered " + response.statusCode() + ", not 2xx"));
          } else {
            result.complete(null);
          }
        });
    return result;
  }

  private Observation observation(AvenaEvent reply) {
    JsonNode data = reply.data();
    JsonNode fsm = data.path("fsm_state");
    if (!fsm.isTextual()) {
      refusedUnlessSuccess(AvenaEvent.CMD_GET_STATE, reply);
      throw new DriverException(
          Kind.MALFORMED,
          "the reply of '"
              + componentId
              + "' to CMD_GET_STATE has no data.fsm_state (a string, one of "
              + EXPECTED_STATES
              + ")");
    }
    FsmState state;
    try {
      state = FsmState.valueOf(fsm.textValue());
    } catch (IllegalArgumentException e) {
      throw new DriverException(
          Kind.MALFORMED,
          "'"
              + componentId
              + "' reports fsm_state '"
              + shorten(fsm.textValue())
              + "', not one of "
              + EXPECTED_STATES);
    }
    return new Observation(
        state, truthy(data.path("error")), text(data.path("error_message")), Instant.now());
  }

  private void refusedUnlessSuccess(String eventType, AvenaEvent reply) {
    AvenaResult result = reply.result();
    if (result != null && result.result() != null && !result.isSuccess()) {
      throw new DriverException(
          Kind.REFUSED,
          "'"
              + componentId
              + "' answered "
              + eventType
              + " with "
              + result.result()
              + (result.errorCode() == null ? "" : " " + result.errorCode())
              + (result.errorMessage() == null ? "" : ": " + shorten(result.errorMessage())));
    }
  }

  /** Python's truth: avena sets {@code error} from an attribute that is usually a bool. */
  private static boolean truthy(JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return false;
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isNumber()) {
      return node.doubleValue() != 0;
    }
    if (node.isTextual()) {
      return !node.textValue().isEmpty();
    }
    return !node.isEmpty();
  }

  private static String text(JsonNode node) {
    if (node.isMissingNode() || node.isNull()) {
      return null;
    }
    return node.isTextual() ? node.textValue() : node.toString();
  }

  private DriverException failure(String what, Throwable error) {
    if (error instanceof DriverException driver) {
      return driver;
    }
    if (error instanceof HttpConnectTimeoutException) {
      return new DriverException(Kind.UNREACHABLE, what + ": could not connect in time", error);
    }
    if (error instanceof HttpTimeoutException) {
      return new DriverException(Kind.TIMEOUT, what + ": no answer in time", error);
    }
    if (error instanceof IOException) {
      // connection refused or reset, unknown host, TLS...
      return new DriverException(Kind.UNREACHABLE, what + " failed: " + error, error);
    }
    return new DriverException(Kind.UNREACHABLE, what + " failed unexpectedly: " + error, error);
  }

  private DriverException closedFailure() {
    return new DriverException(
        Kind.UNREACHABLE, "the http driver of '" + componentId + "' is closed");
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static String shorten(String text) {
    return text.length() > 200 ? text.substring(0, 200) + "…" : text;
  }

  private static String authorityHost(URI uri) {
    String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
    authority = authority.substring(authority.lastIndexOf('@') + 1);
    int colon = authority.lastIndexOf(':');
    return colon >= 0 ? authority.substring(0, colon) : authority;
  }
}
