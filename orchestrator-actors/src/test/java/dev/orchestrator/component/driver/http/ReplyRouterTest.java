package dev.orchestrator.component.driver.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.component.driver.DriverException;
import dev.orchestrator.protocol.avena.AvenaEvent;
import dev.orchestrator.protocol.avena.AvenaResult;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ReplyRouterTest {
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "reply-router",
          ConfigFactory.parseString("orchestrator.components.http.max-pending-replies = 3")
              .withFallback(ConfigFactory.load()));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static AvenaEvent request(long id) {
    return AvenaEvent.request(
        "orchestrator",
        "127.0.0.1",
        8080,
        "io",
        "127.0.0.1",
        8001,
        AvenaEvent.CMD_GET_STATE,
        JsonNodeFactory.instance.objectNode(),
        id,
        LocalDateTime.now());
  }

  private static AvenaEvent reply(long id) {
    return request(id).reply(AvenaResult.success(), JsonNodeFactory.instance.objectNode());
  }

  private static ReplyRouter router() {
    return ReplyRouter.get(testKit.system());
  }

  @Test
  void aReplyCompletesItsRequestOnceAndLeavesNothingBehind() throws Exception {
    CompletableFuture<AvenaEvent> waiting = router().expect(101, Duration.ofSeconds(10));
    AvenaEvent reply = reply(101);
    assertEquals(ReplyRouter.Outcome.REPLY, router().accept(reply));
    assertSame(reply, waiting.get(1, TimeUnit.SECONDS));
    assertEquals(0, router().pendingCount());
    assertEquals(ReplyRouter.Outcome.UNKNOWN_REPLY, router().accept(reply));
  }

  @Test
  void noReplyInTimeFailsWithTimeoutAndALateReplyIsRecognised() {
    CompletableFuture<AvenaEvent> waiting = router().expect(202, Duration.ofMillis(100));
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
    DriverException driver = assertInstanceOf(DriverException.class, e.getCause());
    assertEquals(DriverException.Kind.TIMEOUT, driver.kind());
    assertEquals(0, router().pendingCount());
    assertEquals(ReplyRouter.Outcome.LATE_REPLY, router().accept(reply(202)));
  }

  @Test
  void repliesToFireAndForgetEventsAreLateNotUnknown() {
    router().sentWithoutWaiting(303);
    assertEquals(ReplyRouter.Outcome.LATE_REPLY, router().accept(reply(303)));
    assertEquals(ReplyRouter.Outcome.UNKNOWN_REPLY, router().accept(reply(304)));
  }

  @Test
  void spontaneousEventsGoToTheSink() {
    List<AvenaEvent> seen = new CopyOnWriteArrayList<>();
    router().useSink(seen::add);
    try {
      AvenaEvent event = request(404);
      assertEquals(ReplyRouter.Outcome.SPONTANEOUS, router().accept(event));
      assertEquals(List.of(event), seen);
    } finally {
      router().useSink(ComponentEventSink.LOGGING);
    }
  }

  @Test
  void theNumberOfPendingRepliesIsBounded() throws Exception {
    List<CompletableFuture<AvenaEvent>> three =
        List.of(
            router().expect(501, Duration.ofSeconds(10)),
            router().expect(502, Duration.ofSeconds(10)),
            router().expect(503, Duration.ofSeconds(10)));
    CompletableFuture<AvenaEvent> fourth = router().expect(504, Duration.ofSeconds(10));
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> fourth.get(1, TimeUnit.SECONDS));
    assertEquals(
        DriverException.Kind.TIMEOUT, ((DriverException) e.getCause()).kind(), e::getMessage);
    router().cancel(501, new IllegalStateException("cancelled"));
    assertThrows(ExecutionException.class, () -> three.get(0).get(1, TimeUnit.SECONDS));
    router().accept(reply(502));
    router().accept(reply(503));
    assertEquals(0, router().pendingCount());
  }

  @Test
  void theEventUriIsTheEndpointWithEvent() {
    assertEquals(
        URI.create("http://10.0.0.5:8001/event"), HttpDrivers.endpoint("http://10.0.0.5:8001"));
    assertEquals(
        URI.create("http://10.0.0.5:8001/event"), HttpDrivers.endpoint("http://10.0.0.5:8001/"));
    assertEquals(
        URI.create("http://io_service:8001/base/event"),
        HttpDrivers.endpoint("http://io_service:8001/base"));
  }
}
