package dev.orchestrator.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.TestNodes;
import dev.orchestrator.scenario.action.errors.ActionGuard;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-action-type error counters on a real node: a type is skipped after the configured
 * failures in a row, another type is not, a success resets the count, and the skip survives a
 * restart of the node (the count is in the journal, not in memory).
 */
class ActionErrorsRestartTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);

  @TempDir Path dataDir;

  private Node node;

  @AfterEach
  void stopNode() throws Exception {
    if (node != null) {
      Node running = node;
      node = null;
      TestNodes.stop(running);
    }
  }

  private ActionGuard start() throws Exception {
    Map<String, Object> settings = new HashMap<>(TestNodes.dev(dataDir));
    settings.put("orchestrator.scenarios.max-error-attempts", 2);
    settings.put("orchestrator.scenarios.error-skip-period", "1h");
    node = TestNodes.start("dev", settings);
    TestNodes.awaitReady(TestNodes.api(node));
    return new ActionGuard(node.system());
  }

  private void stop() throws Exception {
    Node running = node;
    node = null;
    TestNodes.stop(running);
  }

  private static Optional<String> skipReason(ActionGuard guard, String type) throws Exception {
    return guard.skipReason(type).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aTypeIsSkippedAfterRepeatedFailuresAndStaysSkippedAfterARestart() throws Exception {
    ActionGuard guard = start();
    guard.record("webhook", false, "connection refused by hooks.example.com");
    assertEquals(Optional.empty(), skipReason(guard, "webhook"));
    guard.record("webhook", false, "connection refused by hooks.example.com");
    Await.until(WITHIN, () -> assertTrue(skipReason(guard, "webhook").isPresent()));
    String reason = skipReason(guard, "webhook").orElseThrow();
    assertTrue(reason.startsWith("webhook actions are skipped until "), reason);
    assertTrue(reason.contains("2 attempts in a row failed"), reason);
    assertTrue(reason.contains("connection refused by hooks.example.com"), reason);

    // Other types count for themselves; a success resets a count below the threshold.
    guard.record("send_sms", false, "gateway down");
    guard.record("send_sms", true, null);
    guard.record("send_sms", false, "gateway down");
    assertEquals(Optional.empty(), skipReason(guard, "send_sms"));

    stop();
    ActionGuard restarted = start();
    assertEquals(Optional.of(reason), skipReason(restarted, "webhook"));
    assertEquals(Optional.empty(), skipReason(restarted, "send_sms"));
  }
}
