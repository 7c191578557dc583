package dev.orchestrator.scenario.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.pattern.StatusReply;
import dev.orchestrator.protocol.avena.AvenaEvent;
import dev.orchestrator.singleton.Orchestrator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Events components send on their own reach the orchestrator with at most {@code in-flight} of them
 * waiting for its answer at a time, so that a burst from a fleet never piles up in the
 * orchestrator's stash (thousands there overflow its stack in Akka 2.8).
 */
class SpontaneousEventsTest {
  private static final ActorTestKit testKit = ActorTestKit.create("SpontaneousEventsTest");
  private static final Duration QUIET = Duration.ofMillis(200);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void aBurstReachesTheOrchestratorAFewAtATimeAndWhole() {
    TestProbe<Orchestrator.Command> orchestrator = testKit.createTestProbe();
    SpontaneousEvents sink = sink(orchestrator, new SpontaneousEvents.Settings(4, 100));
    for (int i = 0; i < 30; i++) {
      sink.spontaneous(event("alarm", "sensor-" + i));
    }
    Set<String> seen = new HashSet<>();
    while (seen.size() < 30) {
      List<Orchestrator.Ingest> waiting = new ArrayList<>();
      int batch = Math.min(4, 30 - seen.size());
      for (int i = 0; i < batch; i++) {
        waiting.add(orchestrator.expectMessageClass(Orchestrator.Ingest.class));
      }
      // No fifth one while four wait for their answer.
      orchestrator.expectNoMessage(QUIET);
      for (Orchestrator.Ingest ingest : waiting) {
        assertTrue(seen.add(ingest.event().source()), "each event once: " + ingest.event());
        ingest
            .replyTo()
            .tell(StatusReply.success(new Orchestrator.Ingested("id-" + seen.size(), List.of())));
      }
    }
    assertEquals(30, seen.size());
    orchestrator.expectNoMessage(QUIET);
  }

  @Test
  void eventsBeyondTheBufferAreDroppedNotPiledUp() {
    TestProbe<Orchestrator.Command> orchestrator = testKit.createTestProbe();
    SpontaneousEvents sink = sink(orchestrator, new SpontaneousEvents.Settings(1, 2));
    for (int i = 0; i < 50; i++) {
      sink.spontaneous(event("alarm", "sensor-" + i));
    }
    // The two buffered arrive whatever the machine's load (each after the answer to the one
    // before); a third when the stream had already taken one in flight before the burst filled the
    // buffer (a race with its start); then whatever else it had pulled, until it stays quiet.
    int delivered = 0;
    Orchestrator.Ingest ingest;
    while (delivered < 2) {
      ingest = orchestrator.expectMessageClass(Orchestrator.Ingest.class, Duration.ofSeconds(10));
      delivered++;
      ingest.replyTo().tell(StatusReply.success(new Orchestrator.Ingested("id", List.of())));
    }
    while ((ingest = nextOrNull(orchestrator)) != null) {
      delivered++;
      ingest.replyTo().tell(StatusReply.success(new Orchestrator.Ingested("id", List.of())));
    }
    // Not fifty: the rest was dropped, not piled up.
    assertTrue(delivered < 10, "delivered " + delivered);
  }

  @Test
  void settingsRefuseZero() {
    assertThrows(IllegalArgumentException.class, () -> new SpontaneousEvents.Settings(0, 10));
    assertThrows(IllegalArgumentException.class, () -> new SpontaneousEvents.Settings(4, 0));
  }

  private static SpontaneousEvents sink(
      TestProbe<Orchestrator.Command> orchestrator, SpontaneousEvents.Settings settings) {
    return new SpontaneousEvents(
        testKit.system(), orchestrator.getRef(), Duration.ofSeconds(30), settings);
  }

  /** The next Ingest, or null when none comes within QUIET. */
  private static Orchestrator.Ingest nextOrNull(TestProbe<Orchestrator.Command> orchestrator) {
    try {
      return (Orchestrator.Ingest) orchestrator.receiveMessage(QUIET);
    } catch (AssertionError timedOut) {
      return null;
    }
  }

  private static AvenaEvent event(String type, String source) {
    return new AvenaEvent(
        source,
        null,
        null,
        "orchestrator",
        null,
        null,
        type,
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}
