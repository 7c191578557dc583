package dev.orchestrator.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.pattern.StatusReply;
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.singleton.Orchestrator;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's asks of the singleton: a try whose message is lost (as one sent to a singleton that
 * died before its node was removed) is followed by another, an error answer is final, and the whole
 * gives up at the ask timeout. The "singleton" here is a real actor that loses what it is told to.
 */
class SingletonAskTest {
  private ActorSystem<Orchestrator.Command> system;

  @AfterEach
  void stop() throws Exception {
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** Loses the first {@code lost} messages, then answers WhereAreYou and refuses Ingest. */
  private static Behavior<Orchestrator.Command> singleton(int lost, AtomicInteger received) {
    return Behaviors.receiveMessage(
        message -> {
          if (received.incrementAndGet() <= lost) {
            return Behaviors.same();
          }
          if (message instanceof Orchestrator.WhereAreYou where) {
            where.replyTo().tell(new Orchestrator.Location("akka://orchestrator@new:1"));
          } else if (message instanceof Orchestrator.Ingest ingest) {
            ingest.replyTo().tell(StatusReply.error("no scenario may run now"));
          }
          return Behaviors.same();
        });
  }

  private SingletonAsk start(int lost, AtomicInteger received, Duration timeout) {
    system =
        ActorSystem.create(
            singleton(lost, received),
            "singleton-ask-test",
            ConfigFactory.parseString(
                    "akka.actor.provider = local\n"
                        + SingletonAsk.RETRY_AFTER
                        + " = 300ms\n"
                        + "akka.loglevel = WARNING")
                .withFallback(ConfigFactory.defaultReference()));
    return new SingletonAsk(system, system, timeout);
  }

  @Test
  void aLostTryIsFollowedByAnotherThatIsAnswered() throws Exception {
    AtomicInteger received = new AtomicInteger();
    SingletonAsk ask = start(2, received, Duration.ofSeconds(30));
    Orchestrator.Location location =
        ask.<Orchestrator.Location>ask(Orchestrator.WhereAreYou::new)
            .toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
    assertEquals("akka://orchestrator@new:1", location.address());
    assertEquals(3, received.get(), "two lost tries, then the one answered");
  }

  @Test
  void anErrorAnswerIsNotAskedAgain() throws Exception {
    AtomicInteger received = new AtomicInteger();
    SingletonAsk ask = start(0, received, Duration.ofSeconds(30));
    ExecutionException failure =
        assertThrows(
            ExecutionException.class,
            () ->
                ask.<Orchestrator.Ingested>askWithStatus(
                        replyTo ->
                            new Orchestrator.Ingest(
                                new Orchestrator.IncomingEvent("PING", null, null),
                                "event-1",
                                replyTo))
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS));
    assertInstanceOf(StatusReply.ErrorMessage.class, failure.getCause());
    assertEquals("no scenario may run now", failure.getCause().getMessage());
    assertEquals(1, received.get());
  }

  @Test
  void itGivesUpAtTheAskTimeout() {
    AtomicInteger received = new AtomicInteger();
    SingletonAsk ask = start(Integer.MAX_VALUE, received, Duration.ofSeconds(2));
    long start = System.nanoTime();
    ExecutionException failure =
        assertThrows(
            ExecutionException.class,
            () ->
                ask.<Orchestrator.Location>ask(Orchestrator.WhereAreYou::new)
                    .toCompletableFuture()
                    .get(60, TimeUnit.SECONDS));
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    assertInstanceOf(TimeoutException.class, failure.getCause());
    assertTrue(tookMillis >= 1_900, "gave up after " + tookMillis + " ms, before the timeout");
    assertTrue(received.get() >= 3, "tries every 300 ms for 2 s: " + received.get());
  }
}
