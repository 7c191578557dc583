package dev.orchestrator.protocol.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Rendering the templated fields of actions from a run's trigger, whatever the trigger holds. */
class ActionTemplatesTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static Function<String, String> scope(String source, String data) throws Exception {
    JsonNode node = data == null ? null : MAPPER.readTree(data);
    return ActionTemplates.scope(
        new RunTrigger("event", "X", source, node, Instant.EPOCH), "sc", "run-1", "it broke");
  }

  @Test
  void everyPathLooksUpItsValue() throws Exception {
    Function<String, String> s = scope("ups", "{\"a\": {\"b\": 3}, \"list\": [1, 2], \"t\": true}");
    assertEquals("ups", s.apply("trigger.source"));
    assertEquals("sc", s.apply("scenario.name"));
    assertEquals("run-1", s.apply("run.id"));
    assertEquals("it broke", s.apply("failure.message"));
    assertEquals("3", s.apply("trigger.data.a.b"));
    assertEquals("{\"b\":3}", s.apply("trigger.data.a"));
    assertEquals("[1,2]", s.apply("trigger.data.list"));
    assertEquals("true", s.apply("trigger.data.t"));
    assertNull(s.apply("trigger.data.missing.deeper"));
    assertNull(scope("ups", null).apply("trigger.data.a"));
  }

  @Test
  void hostileTriggerTextStaysText() throws Exception {
    String hostile = "{{ run.id }} ${jndi:ldap://x/a} #{7*7} <script>alert(1)</script> {{";
    Function<String, String> s = scope(hostile, MAPPER.writeValueAsString(Map.of("x", hostile)));
    Action.LogEvent log =
        (Action.LogEvent)
            ActionTemplates.render(
                new Action.LogEvent(
                    "info", "from {{ trigger.source }} / {{ trigger.data.x }}", null, null, null),
                s);
    assertEquals("from " + hostile + " / " + hostile, log.message());
  }

  @Test
  void eachActionRendersItsTemplatedFieldsOnly() throws Exception {
    Function<String, String> s = scope("ups", "{\"who\": \"ops@example.com\", \"n\": \"7\"}");
    Action.SendEmail mail =
        (Action.SendEmail)
            ActionTemplates.render(
                new Action.SendEmail(
                    List.of("{{ trigger.data.who }}", "fixed@example.com"),
                    "{{ scenario.name }}",
                    "{{ failure.message }}",
                    null,
                    null,
                    null),
                s);
    assertEquals(List.of("ops@example.com", "fixed@example.com"), mail.to());
    assertEquals("sc", mail.subject());
    assertEquals("it broke", mail.body());

    Action.EnqueueCommand command =
        (Action.EnqueueCommand)
            ActionTemplates.render(
                new Action.EnqueueCommand(
                    "noop",
                    MAPPER.readTree(
                        "{\"a\": \"{{ trigger.data.n }}\", \"b\": [\"{{ run.id }}\", 5]}"),
                    true,
                    null,
                    null,
                    null),
                s);
    assertEquals(MAPPER.readTree("{\"a\": \"7\", \"b\": [\"run-1\", 5]}"), command.input());

    Action.SendCommand send =
        (Action.SendCommand)
            ActionTemplates.render(
                new Action.SendCommand("{{ trigger.source }}", null, "none", null, null, null), s);
    assertEquals("ups", send.target());

    Action.ExecuteScenario nested = new Action.ExecuteScenario("other", null, null, null);
    assertSame(nested, ActionTemplates.render(nested, s));
  }
}
