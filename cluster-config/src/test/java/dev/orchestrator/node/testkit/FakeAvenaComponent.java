package dev.orchestrator.node.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.orchestrator.protocol.avena.AvenaEvent;
import dev.orchestrator.protocol.avena.AvenaResult;
import dev.orchestrator.protocol.component.FsmState;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An avena component on a real socket, as {@code avena_commons.EventListener} behaves: {@code POST
 * /event} answers 200 at once, and the reply comes later as a {@code POST} of the event, result set
 * and ends swapped, to the sender's {@code /event}. Lifecycle commands get no reply but move its
 * FSM state, which a later {@code CMD_GET_STATE} shows. Its behaviour can be changed at any time:
 * {@link #replies} (normal, bundled as {@code cumulative}, slow, silent, malformed, failure),
 * {@link #answerStatus} (a non-2xx answer to the POST) and {@link #stop()} (connection refused).
 */
public final class FakeAvenaComponent implements AutoCloseable {
  /** How the component answers requests that get a reply. */
  public enum Replies {
    /** At once, one event per reply. */
    NORMAL,
    /** At once, as a cumulative bundle of the reply and an event of its own ({@code status}). */
    BUNDLED,
    /** After {@link #slowBy}. */
    SLOW,
    /** Never. */
    SILENT,
    /** At once, with {@code fsm_state} that is no state ({@code DANCING}). */
    MALFORMED,
    /** At once, with {@code result: failure} and no data. */
    FAILURE
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final String name;
  private final HttpServer server;
  private final ScheduledExecutorService worker;
  private final List<JsonNode> received = new CopyOnWriteArrayList<>();
  private final List<Integer> replyStatuses = new CopyOnWriteArrayList<>();
  private volatile FsmState state = FsmState.STOPPED;
  private volatile Replies replies = Replies.NORMAL;
  private volatile Duration slowBy = Duration.ofSeconds(3);
  private volatile int answerStatus = 200;

  private FakeAvenaComponent(String name, HttpServer server, ScheduledExecutorService worker) {
    this.name = name;
    this.server = server;
    this.worker = worker;
  }

  /** Starts the component on a free port of 127.0.0.1. */
  public static FakeAvenaComponent start(String name) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      ScheduledExecutorService worker =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "fake-avena-" + name);
                t.setDaemon(true);
                return t;
              });
      FakeAvenaComponent component = new FakeAvenaComponent(name, server, worker);
      server.createContext("/event", component::handle);
      server.setExecutor(Executors.newFixedThreadPool(2));
      server.start();
      return component;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Its base URL, the {@code endpoint} of an http component. */
  public String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  public String name() {
    return name;
  }

  public FsmState state() {
    return state;
  }

  public void state(FsmState state) {
    this.state = state;
  }

  public void replies(Replies replies) {
    this.replies = replies;
  }

  /** How late {@link Replies#SLOW} replies come. */
  public void slowBy(Duration delay) {
    this.slowBy = delay;
  }

  /** The status {@code POST /event} answers with (200 unless told otherwise). */
  public void answerStatus(int status) {
    this.answerStatus = status;
  }

  /** Every event it was sent, as JSON, in order. */
  public List<JsonNode> received() {
    return List.copyOf(received);
  }

  /** The last event it was sent of this type; fails when there is none. */
  public JsonNode last(String eventType) {
    List<JsonNode> all = received();
    for (int i = all.size() - 1; i >= 0; i--) {
      if (all.get(i).path("event_type").asText().equals(eventType)) {
        return all.get(i);
      }
    }
    throw new AssertionError(name + " received no " + eventType + " in " + all);
  }

  /** The HTTP statuses its replies were answered with, in order (-1: the POST failed). */
  public List<Integer> replyStatuses() {
    return List.copyOf(replyStatuses);
  }

  /** Stops listening: from now on a connection to it is refused. */
  public void stop() {
    server.stop(0);
  }

  @Override
  public void close() {
    stop();
    worker.shutdownNow();
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestMethod().equals("POST")) {
        respond(exchange, 405, "{\"detail\":\"Method Not Allowed\"}");
        return;
      }
      JsonNode event;
      try (InputStream in = exchange.getRequestBody()) {
        event = MAPPER.readTree(in.readAllBytes());
      } catch (IOException e) {
        respond(exchange, 422, "{\"detail\":\"not JSON\"}");
        return;
      }
      int status = answerStatus;
      if (status / 100 == 2) {
        received.add(event);
        // Queued before the answer: what it was sent is processed in order.
        worker.execute(() -> process(event));
      }
      respond(exchange, status, "{\"status\":\"ok\"}");
    }
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private void process(JsonNode json) {
    AvenaEvent event;
    try {
      event = MAPPER.treeToValue(json, AvenaEvent.class);
    } catch (IOException e) {
      return;
    }
    String type = event.eventType();
    switch (type) {
      case "CMD_INITIALIZED", "CMD_SOFT_STOP" -> state = FsmState.INITIALIZED;
      case "CMD_RUN" -> state = FsmState.RUN;
      case "CMD_PAUSE" -> state = FsmState.PAUSE;
      case "CMD_HARD_STOP", "CMD_STOPPED", "CMD_ACK" -> state = FsmState.STOPPED;
      case AvenaEvent.CMD_GET_STATE -> reply(event, stateData());
      case AvenaEvent.CMD_HEALTH_CHECK -> reply(event, healthData());
      default -> {}
    }
  }

  private ObjectNode stateData() {
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("fsm_state", state.name());
    data.put("error", state == FsmState.FAULT);
    data.put("error_code", false);
    if (state == FsmState.FAULT) {
      data.put("error_message", "motor overheated");
    } else {
      data.putNull("error_message");
    }
    return data;
  }

  private static ObjectNode healthData() {
    ObjectNode data = JsonNodeFactory.instance.objectNode();
    data.put("cpu_percent", 12.5);
    data.put("memory_mb", 64);
    data.put("status", "ok");
    return data;
  }

  private void reply(AvenaEvent request, ObjectNode data) {
    Replies mode = replies;
    switch (mode) {
      case SILENT -> {}
      case SLOW ->
          worker.schedule(
              () -> post(request.reply(AvenaResult.success(), data)),
              slowBy.toMillis(),
              TimeUnit.MILLISECONDS);
      case MALFORMED -> {
        ObjectNode bad = data.deepCopy();
        bad.put("fsm_state", "DANCING");
        post(request.reply(AvenaResult.success(), bad));
      }
      case FAILURE ->
          post(
              request.reply(
                  new AvenaResult(AvenaResult.FAILURE, 3, "Failed to get state: busy"),
                  JsonNodeFactory.instance.objectNode()));
      case BUNDLED -> {
        AvenaEvent reply = request.reply(AvenaResult.success(), data);
        AvenaEvent own =
            new AvenaEvent(
                reply.source(),
                reply.sourceAddress(),
                reply.sourcePort(),
                reply.destination(),
                reply.destinationAddress(),
                reply.destinationPort(),
                "status",
                JsonNodeFactory.instance.objectNode().put("temperature", 41.5),
                null,
                1,
                false,
                false,
                20.0,
                LocalDateTime.now(),
                null);
        post(AvenaEvent.cumulative(List.of(own, reply), MAPPER));
      }
      case NORMAL -> post(request.reply(AvenaResult.success(), data));
    }
  }

  private void post(AvenaEvent event) {
    try {
      URI target =
          URI.create(
              "http://" + event.destinationAddress() + ":" + event.destinationPort() + "/event");
      HttpRequest request =
          HttpRequest.newBuilder(target)
              .timeout(Duration.ofSeconds(10))
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofByteArray(MAPPER.writeValueAsBytes(event)))
              .build();
      replyStatuses.add(CLIENT.send(request, HttpResponse.BodyHandlers.discarding()).statusCode());
    } catch (IOException e) {
      replyStatuses.add(-1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
