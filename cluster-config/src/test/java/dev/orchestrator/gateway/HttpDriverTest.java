package dev.orchestrator.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.component.driver.ComponentDriver;
import dev.orchestrator.component.driver.DriverException;
import dev.orchestrator.component.driver.Observation;
import dev.orchestrator.component.driver.http.HttpDrivers;
import dev.orchestrator.component.driver.http.ReplyRouter;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.FakeAvenaComponent;
import dev.orchestrator.node.testkit.FakeAvenaComponent.Replies;
import dev.orchestrator.node.testkit.TestNodes;
import dev.orchestrator.protocol.avena.AvenaEvent;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The http driver against a fake avena component on a real socket, through a real node: requests go
 * out with the node's shared client, replies come back through the gateway's {@code POST /event} to
 * the node's reply router.
 */
class HttpDriverTest {
  private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(1);
  private static final long EPOCH = 7;

  private static GatewayFixture gw;
  private static final List<AvenaEvent> spontaneous = new CopyOnWriteArrayList<>();

  private FakeAvenaComponent component;
  private ComponentDriver driver;

  @BeforeAll
  static void startNode() throws Exception {
    gw =
        GatewayFixture.start(
            "http-driver", Map.of("orchestrator.components.http.reply-timeout", "1s"));
    ReplyRouter.get(gw.node.system()).useSink(spontaneous::add);
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (gw != null) {
      gw.stop();
    }
  }

  @BeforeEach
  void startComponent() {
    component = FakeAvenaComponent.start("io");
    driver =
        HttpDrivers.get(gw.node.system())
            .create("io", new ComponentSpec("http", component.endpoint(), null, null, null));
  }

  @AfterEach
  void stopComponent() {
    driver.close();
    component.close();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static DriverException failure(CompletionStage<?> stage) {
    ExecutionException e =
        assertThrows(
            ExecutionException.class, () -> stage.toCompletableFuture().get(10, TimeUnit.SECONDS));
    return assertInstanceOf(DriverException.class, e.getCause(), () -> e.getCause().toString());
  }

  private static ReplyRouter router() {
    return ReplyRouter.get(gw.node.system());
  }

  @Test
  void aLifecycleCommandGetsNoReplyButALaterPollShowsItsEffect() throws Exception {
    assertEquals(FsmState.STOPPED, await(driver.poll(EPOCH)).state());
    await(driver.send(LifecycleCommand.CMD_INITIALIZED, EPOCH));
    Observation observation = await(driver.poll(EPOCH));
    assertEquals(FsmState.INITIALIZED, observation.state());
    assertFalse(observation.error());
    assertNull(observation.errorMessage());
    await(driver.send(LifecycleCommand.CMD_RUN, EPOCH));
    assertEquals(FsmState.RUN, await(driver.poll(EPOCH)).state());
    assertEquals(0, router().pendingCount());
  }

  @Test
  void everyEventIsAnAvenaEventThatSaysWhereToReply() throws Exception {
    await(driver.send(LifecycleCommand.CMD_RUN, EPOCH));
    JsonNode sent = component.last("CMD_RUN");
    assertEquals("orchestrator", sent.path("source").asText());
    assertEquals("127.0.0.1", sent.path("source_address").asText());
    assertEquals(TestNodes.httpPort(gw.node), sent.path("source_port").asInt());
    assertEquals("io", sent.path("destination").asText());
    assertEquals("127.0.0.1", sent.path("destination_address").asText());
    assertEquals(
        Integer.parseInt(component.endpoint().replaceAll(".*:", "")),
        sent.path("destination_port").asInt());
    assertEquals(EPOCH, sent.path("data").path("epoch").asLong());
    assertTrue(sent.path("id").canConvertToLong() && sent.path("id").asLong() > 0);
    assertTrue(sent.has("result") && sent.get("result").isNull());
    assertTrue(
        sent.path("timestamp")
            .asText()
            .matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(\\.\\d{6})?"),
        sent.path("timestamp").asText());
    for (String field :
        List.of("payload", "to_be_processed", "is_processing", "maximum_processing_time")) {
      assertTrue(sent.has(field), field);
    }
  }

  @Test
  void theStateAComponentReportsIsObservedWithItsError() throws Exception {
    component.state(FsmState.FAULT);
    Observation observation = await(driver.poll(EPOCH));
    assertEquals(FsmState.FAULT, observation.state());
    assertTrue(observation.error());
    assertEquals("motor overheated", observation.errorMessage());
    assertEquals(
        EPOCH, component.last(AvenaEvent.CMD_GET_STATE).path("data").path("epoch").asLong());
  }

  @Test
  void aHealthCheckAnswersTheComponentsFreeFormData() throws Exception {
    JsonNode health = await(driver.healthCheck(EPOCH));
    assertEquals("ok", health.path("status").asText());
    assertEquals(12.5, health.path("cpu_percent").asDouble());
  }

  @Test
  void bundledRepliesAreUnbundledAndTheComponentsOwnEventsGoToTheSink() throws Exception {
    component.replies(Replies.BUNDLED);
    component.state(FsmState.PAUSE);
    spontaneous.clear();
    assertEquals(FsmState.PAUSE, await(driver.poll(EPOCH)).state());
    assertEquals("ok", await(driver.healthCheck(EPOCH)).path("status").asText());
    Await.until(Duration.ofSeconds(10), () -> assertEquals(2, spontaneous.size()));
    assertEquals("status", spontaneous.get(0).eventType());
    assertEquals("io", spontaneous.get(0).source());
  }

  @Test
  void aReplyAfterTheDeadlineFailsThePollWithTimeoutAndIsThenIgnored() throws Exception {
    component.replies(Replies.SLOW);
    component.slowBy(REPLY_TIMEOUT.plusMillis(500));
    DriverException e = failure(driver.poll(EPOCH));
    assertEquals(DriverException.Kind.TIMEOUT, e.kind(), e.getMessage());
    assertEquals(0, router().pendingCount());
    // The late reply still arrives; the gateway takes it with 200 and drops it.
    Await.until(
        Duration.ofSeconds(10), () -> assertEquals(List.of(200), component.replyStatuses()));
    component.replies(Replies.NORMAL);
    assertEquals(FsmState.STOPPED, await(driver.poll(EPOCH)).state());
  }

  @Test
  void noReplyAtAllFailsWithTimeout() {
    component.replies(Replies.SILENT);
    assertEquals(DriverException.Kind.TIMEOUT, failure(driver.poll(EPOCH)).kind());
    assertEquals(DriverException.Kind.TIMEOUT, failure(driver.healthCheck(EPOCH)).kind());
    assertEquals(0, router().pendingCount());
  }

  @Test
  void anUnknownStateIsMalformedAndAFailureResultIsRefused() {
    component.replies(Replies.MALFORMED);
    DriverException malformed = failure(driver.poll(EPOCH));
    assertEquals(DriverException.Kind.MALFORMED, malformed.kind());
    assertTrue(malformed.getMessage().contains("DANCING"), malformed.getMessage());

    component.replies(Replies.FAILURE);
    DriverException refused = failure(driver.poll(EPOCH));
    assertEquals(DriverException.Kind.REFUSED, refused.kind());
    assertTrue(refused.getMessage().contains("busy"), refused.getMessage());
    assertEquals(DriverException.Kind.REFUSED, failure(driver.healthCheck(EPOCH)).kind());
  }

  @Test
  void aComponentThatIsDownIsUnreachable() {
    component.stop();
    assertEquals(
        DriverException.Kind.UNREACHABLE,
        failure(driver.send(LifecycleCommand.CMD_RUN, EPOCH)).kind());
    assertEquals(DriverException.Kind.UNREACHABLE, failure(driver.poll(EPOCH)).kind());
    assertEquals(DriverException.Kind.UNREACHABLE, failure(driver.healthCheck(EPOCH)).kind());
    assertEquals(0, router().pendingCount());
  }

  @Test
  void aNon2xxAnswerIsRefused() {
    component.answerStatus(503);
    DriverException e = failure(driver.send(LifecycleCommand.CMD_RUN, EPOCH));
    assertEquals(DriverException.Kind.REFUSED, e.kind());
    assertTrue(e.getMessage().contains("503"), e.getMessage());
    assertEquals(DriverException.Kind.REFUSED, failure(driver.poll(EPOCH)).kind());
  }

  @Test
  void closingTheDriverEndsItsWaitsAtOnce() {
    component.replies(Replies.SILENT);
    CompletionStage<Observation> poll = driver.poll(EPOCH);
    Await.until(Duration.ofSeconds(5), () -> component.last(AvenaEvent.CMD_GET_STATE));
    driver.close();
    DriverException e = failure(poll);
    assertEquals(DriverException.Kind.UNREACHABLE, e.kind());
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    assertEquals(DriverException.Kind.UNREACHABLE, failure(driver.poll(EPOCH)).kind());
  }

  @Test
  void onlyHttpSpecsMakeAnHttpDriver() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            HttpDrivers.get(gw.node.system())
                .create("sim", new ComponentSpec("simulated", null, null, null, null)));
  }
}
