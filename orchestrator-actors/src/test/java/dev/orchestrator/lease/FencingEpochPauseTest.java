package dev.orchestrator.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import java.time.Duration;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A node whose refresh timer stood still for longer than the pause threshold keeps the epoch it had
 * before the pause on its commands, although it reads the newer one, until the cluster has
 * confirmed it for the whole confirmation time or it holds the singleton's lease again. Ticks are
 * given explicit times, so no test waits.
 */
class FencingEpochPauseTest {
  private static final long SECOND = Duration.ofSeconds(1).toNanos();
  private static final long START = 1_000 * SECOND;

  @Test
  void aPausedNodeKeepsItsEpochUntilTheClusterConfirmsIt() {
    withEpoch(
        epoch -> {
          epoch.observe(1);
          epoch.tick(START, true);
          epoch.tick(START + SECOND, true);
          assertFalse(
              epoch.readInTime(START + 14 * SECOND),
              "a value read after the pause waits for the tick that notices the pause");

          epoch.tick(START + 15 * SECOND, true);
          epoch.observe(2);
          assertEquals(1, epoch.current(), "its commands keep the epoch from before the pause");
          assertEquals(2, epoch.newest(), "it checks against the newest it read");

          for (int s = 16; s <= 24; s++) {
            epoch.tick(START + s * SECOND, true);
          }
          epoch.tick(START + 25 * SECOND, false);
          for (int s = 26; s <= 40; s++) {
            epoch.tick(START + s * SECOND, true);
            assertEquals(1, epoch.current(), "an unreachable member restarted the count at " + s);
          }
          epoch.tick(START + 41 * SECOND, true);
          assertEquals(2, epoch.current(), "confirmed for 15 s in a row");
        });
  }

  @Test
  void holdingTheLeaseAgainEndsTheSuspicion() {
    withEpoch(
        epoch -> {
          epoch.observeHeld(3);
          epoch.tick(START, true);
          epoch.tick(START + 8 * SECOND, false);
          epoch.observe(4);
          assertEquals(3, epoch.current());

          epoch.observeHeld(5);
          assertEquals(5, epoch.current());
          epoch.tick(START + 9 * SECOND, false);
          assertEquals(5, epoch.current(), "a late tick after that is no pause");
        });
  }

  @Test
  void aLateTickBelowTheThresholdIsNoPause() {
    withEpoch(
        epoch -> {
          epoch.observe(1);
          epoch.tick(START, true);
          epoch.tick(START + 5 * SECOND, false);
          epoch.observe(2);
          assertEquals(2, epoch.current());
        });
  }

  private static void withEpoch(Consumer<FencingEpoch> test) {
    ActorTestKit testKit = ActorTestKit.create("FencingEpochPauseTest");
    try {
      FencingEpoch epoch = FencingEpoch.get(testKit.system().classicSystem());
      epoch.watchPauses(Duration.ofSeconds(5), Duration.ofSeconds(15));
      test.accept(epoch);
    } finally {
      testKit.shutdownTestKit();
    }
  }
}
