package dev.orchestrator.scenario.action.notify;

import static dev.orchestrator.scenario.action.notify.Outcomes.dueIn5s;
import static dev.orchestrator.scenario.action.notify.Outcomes.result;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import com.typesafe.config.ConfigFactory;
import dev.orchestrator.protocol.scenario.Action;
import dev.orchestrator.scenario.action.ActionExecutor;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class NotifyActionsTest {
  private static final RecordingServer server = start();
  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "NotifyActionsTest",
          ConfigFactory.parseString(
                  "orchestrator.scenarios.webhooks.ops.url = \"" + server.url("/ok") + "\"")
              .withFallback(ConfigFactory.load()));
  private static final ExecutorService blocking = Executors.newSingleThreadExecutor();

  private static RecordingServer start() {
    try {
      return new RecordingServer();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
    blocking.shutdownNow();
    server.close();
  }

  @Test
  void executorsAreKeyedByTheirActionType() throws Exception {
    Map<String, ActionExecutor> executors = NotifyActions.create(testKit.system(), blocking);
    assertEquals(Set.of("send_email", "send_sms", "webhook"), executors.keySet());
    Action.Webhook webhook = new Action.Webhook(null, "ops", "{\"k\": 1}", null, null, null);
    List<Action> kinds =
        List.of(
            new Action.SendEmail(List.of("a@example.com"), "s", "b", null, null, null),
            new Action.SendSms(List.of("+48600100200"), "m", null, null, null),
            webhook);
    assertEquals(
        executors.keySet(), kinds.stream().map(Action::typeName).collect(Collectors.toSet()));
    result(executors.get(webhook.typeName()).execute(webhook, dueIn5s()));
    assertEquals("{\"k\": 1}", server.next().body(), "the configured endpoint was called");
  }

  @Test
  void aSettingThatCannotWorkStopsTheCreation() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                NotifyActions.create(
                    NotifySettings.from(
                        ConfigFactory.parseString(
                                "orchestrator.scenarios.sms.url = \"mailto:ops@example.com\"")
                            .withFallback(testKit.system().settings().config())),
                    null,
                    blocking));
    assertTrue(e.getMessage().startsWith("orchestrator.scenarios.sms.url:"), e.getMessage());
  }
}
