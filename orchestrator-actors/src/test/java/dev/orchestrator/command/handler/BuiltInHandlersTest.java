package dev.orchestrator.command.handler;

import static dev.orchestrator.command.handler.Outcomes.await;
import static dev.orchestrator.command.handler.Outcomes.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.orchestrator.command.spi.PermanentFailure;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BuiltInHandlersTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void noopEchoesItsInput() throws Exception {
    JsonNode input = JSON.readTree("{\"a\": [1, 2, {\"b\": null}], \"c\": \"d\"}");
    assertSame(input, await(new NoopCommand().handle(input, TestContext.first())));
    assertEquals(
        NullNode.getInstance(), await(new NoopCommand().handle(null, TestContext.first())));
  }

  @Test
  void inputsAndOutputsAreJackson() throws Exception {
    assertEquals(
        new SleepCommand.Input(5L), JSON.readValue("{\"millis\": 5}", SleepCommand.Input.class));
    assertEquals(
        new FailCommand.Input(2, "boom"),
        JSON.readValue("{\"times\": 2, \"message\": \"boom\"}", FailCommand.Input.class));
    assertEquals("{\"sleptMillis\":5}", JSON.writeValueAsString(new SleepCommand.Output(5)));
    assertEquals("{\"attempt\":3}", JSON.writeValueAsString(new FailCommand.Output(3)));
    HttpRequestCommand.Input http =
        JSON.readValue(
            "{\"method\": \"POST\", \"url\": \"http://x/\", \"body\": {\"k\": 1},"
                + " \"headers\": {\"X-A\": \"b\"}, \"expectStatus\": 201}",
            HttpRequestCommand.Input.class);
    assertEquals("POST", http.method());
    assertEquals(1, http.body().get("k").asInt());
    assertEquals("b", http.headers().get("X-A"));
    assertEquals(201, http.expectStatus());
  }

  @Test
  void sleepTakesAtLeastItsTime() throws Exception {
    long started = System.nanoTime();
    CompletionStage<SleepCommand.Output> sleep =
        new SleepCommand().handle(new SleepCommand.Input(300L), TestContext.first());
    assertFalse(sleep.toCompletableFuture().isDone());
    assertEquals(new SleepCommand.Output(300), await(sleep));
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(took >= 300, "slept only " + took + " ms");
    assertEquals(
        new SleepCommand.Output(0),
        await(new SleepCommand().handle(new SleepCommand.Input(0L), TestContext.first())));
  }

  @Test
  void sleepEndsPromptlyWhenCancelled() {
    TestContext context = TestContext.first();
    int pendingBefore = Timers.pending();
    CompletionStage<SleepCommand.Output> sleep =
        new SleepCommand().handle(new SleepCommand.Input(3_600_000L), context);
    assertFalse(sleep.toCompletableFuture().isDone());
    long started = System.nanoTime();
    context.cancel();
    assertInstanceOf(CancellationException.class, failure(sleep, 2));
    long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    assertTrue(took < 1_000, "took " + took + " ms to stop");
    assertTrue(Timers.pending() <= pendingBefore, "the timer task stays queued");

    assertInstanceOf(
        CancellationException.class,
        failure(new SleepCommand().handle(new SleepCommand.Input(10L), context)));
  }

  @Test
  void sleepRefusesBadInput() {
    for (SleepCommand.Input input :
        new SleepCommand.Input[] {
          null,
          new SleepCommand.Input(null),
          new SleepCommand.Input(-1L),
          new SleepCommand.Input(86_400_001L)
        }) {
      Throwable e = failure(new SleepCommand().handle(input, TestContext.first()));
      assertInstanceOf(PermanentFailure.class, e);
      assertTrue(e.getMessage().contains("millis"), e.getMessage());
    }
  }

  @Test
  void failFailsTheFirstAttemptsThenSucceeds() throws Exception {
    FailCommand fail = new FailCommand();
    FailCommand.Input threeTimes = new FailCommand.Input(3, null);
    for (int attempt = 1; attempt <= 3; attempt++) {
      Throwable e =
          failure(fail.handle(threeTimes, new TestContext(attempt, Duration.ofMinutes(1))));
      assertInstanceOf(FailCommand.IntendedFailure.class, e);
      assertEquals("failing attempt " + attempt + " of 3 on purpose", e.getMessage());
    }
    assertEquals(
        new FailCommand.Output(4),
        await(fail.handle(threeTimes, new TestContext(4, Duration.ofMinutes(1)))));
  }

  @Test
  void failDefaultsAndMessages() throws Exception {
    FailCommand fail = new FailCommand();
    assertEquals(
        "failing attempt 1 of 1 on purpose",
        failure(fail.handle(null, TestContext.first())).getMessage());
    assertEquals(
        "failing attempt 1 of 1 on purpose",
        failure(fail.handle(new FailCommand.Input(null, null), TestContext.first())).getMessage());
    assertEquals(
        new FailCommand.Output(2),
        await(
            fail.handle(
                new FailCommand.Input(null, null), new TestContext(2, Duration.ofMinutes(1)))));
    assertEquals(
        "boom",
        failure(fail.handle(new FailCommand.Input(2, "boom"), TestContext.first())).getMessage());
    assertEquals(
        new FailCommand.Output(1),
        await(fail.handle(new FailCommand.Input(0, null), TestContext.first())));
    Throwable negative = failure(fail.handle(new FailCommand.Input(-1, null), TestContext.first()));
    assertInstanceOf(PermanentFailure.class, negative);
    assertNotSame(null, negative.getMessage());
  }

  @Test
  void handlersNeverThrowSynchronously() {
    CompletableFuture<?> f =
        new HttpRequestCommand()
            .handle(new HttpRequestCommand.Input(null, null, null, null, null), TestContext.first())
            .toCompletableFuture();
    assertTrue(f.isCompletedExceptionally());
  }
}
