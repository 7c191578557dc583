package dev.orchestrator.scenario.action.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeadlinesTest {
  @Test
  void timesReadAsTheyWereWritten() {
    assertEquals("300ms", Deadlines.text(Duration.ofMillis(299)));
    assertEquals("5ms", Deadlines.text(Duration.ofMillis(5)));
    assertEquals("1s", Deadlines.text(Duration.ofMillis(996)));
    assertEquals("5s", Deadlines.text(Duration.ofMillis(4987)));
    assertEquals("2.5s", Deadlines.text(Duration.ofMillis(2500)));
    assertEquals("60s", Deadlines.text(Duration.ofMinutes(1)));
  }
}
