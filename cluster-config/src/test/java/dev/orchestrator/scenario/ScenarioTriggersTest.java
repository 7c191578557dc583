package dev.orchestrator.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.Ports;
import dev.orchestrator.node.testkit.TestNodes;
import jakarta.mail.internet.MimeMessage;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What starts runs, on one dev node through its API: DESIGN.md's example on a real event, priority
 * order, cooldown, automatic scenarios on a component's state, and an {@code on_failure} e-mail
 * that reaches a real SMTP server (GreenMail).
 */
class ScenarioTriggersTest {
  private static final Duration WITHIN = Duration.ofSeconds(60);

  private static GreenMail smtp;
  private static Node node;
  private static Api api;

  @BeforeAll
  static void start() throws Exception {
    int smtpPort = Ports.free();
    smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    smtp.start();
    Map<String, Object> settings =
        new HashMap<>(TestNodes.dev(Files.createTempDirectory("scenario-triggers-")));
    settings.put("orchestrator.scenarios.tick", "200ms");
    settings.put("orchestrator.scenarios.email.host", "127.0.0.1");
    settings.put("orchestrator.scenarios.email.port", smtpPort);
    settings.put("orchestrator.scenarios.email.from", "orchestrator@example.com");
    node = TestNodes.start("dev", settings);
    api = TestNodes.api(node);
    TestNodes.awaitReady(api);
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      TestNodes.stop(node);
    }
    if (smtp != null) {
      smtp.stop();
    }
  }

  private static void put(String name, String yaml) {
    HttpResponse<String> r = api.send("PUT", "/api/v1/scenarios/" + name, yaml, "application/yaml");
    assertTrue(r.statusCode() / 100 == 2, r::body);
  }

  private static void register(String id) {
    HttpResponse<String> r =
        api.put(
            "/api/v1/components/" + id, "{\"driver\":\"simulated\",\"pollInterval\":\"100ms\"}");
    assertEquals(200, r.statusCode(), r::body);
  }

  private static JsonNode runs(String scenario) {
    return Api.json(api.get("/api/v1/runs?scenario=" + scenario)).path("items");
  }

  private static JsonNode awaitRunEnded(String scenario) {
    JsonNode[] run = new JsonNode[1];
    Await.until(
        WITHIN,
        () -> {
          JsonNode items = runs(scenario);
          assertEquals(1, items.size(), items::toString);
          run[0] = Api.json(api.get("/api/v1/runs/" + items.get(0).path("id").asText()));
          assertTrue(!"RUNNING".equals(run[0].path("status").asText()), run[0]::toString);
        });
    return run[0];
  }

  private static void awaitState(String id, String state) {
    Await.until(
        WITHIN,
        () ->
            assertEquals(
                state, Api.json(api.get("/api/v1/components/" + id)).path("state").asText()));
  }

  @Test
  void designExampleRunsOnItsEventOnceTheUpsHasFaultedForTenSeconds() throws Exception {
    String yaml =
        Files.readString(
            Path.of("..", "examples", "scenarios", "shutdown_on_power_loss.yaml"),
            StandardCharsets.UTF_8);
    put("shutdown_on_power_loss", yaml);
    register("ups");
    awaitState("ups", "STOPPED");
    HttpResponse<String> fault =
        api.post("/api/v1/components/ups/simulate", "{\"fault\":\"fault\"}");
    assertEquals(200, fault.statusCode(), fault::body);
    awaitState("ups", "FAULT");
    Instant faultedBy = Instant.now();
    // At night the run starts on the first event: its conditions and its send_command's @all read
    // the components' read side, which must list the ups by then.
    Await.until(
        WITHIN,
        () ->
            assertTrue(
                api.get("/api/v1/components?limit=1000").body().contains("\"id\":\"ups\""),
                "the read side does not list the ups yet"));
    // The condition holds from 10 s after the fault (or at night in Warsaw): send the event until
    // a run starts; its explanation says which leaf held.
    Await.until(
        Duration.ofSeconds(90),
        () -> {
          HttpResponse<String> sent =
              api.post("/api/v1/events", "{\"type\":\"UPS_POWER_LOST\",\"source\":\"ups\"}");
          assertEquals(202, sent.statusCode(), sent::body);
          assertEquals("shutdown_on_power_loss", Api.json(sent).path("matched").get(0).asText());
          assertEquals(1, runs("shutdown_on_power_loss").size());
        });
    JsonNode run = awaitRunEnded("shutdown_on_power_loss");
    JsonNode explanation = run.path("explanation");
    assertEquals("any", explanation.path("condition").asText(), run::toString);
    assertTrue(explanation.path("value").asBoolean());
    String night = explanation.path("children").get(1).path("detail").asText();
    if (!explanation.path("children").get(1).path("value").asBoolean()) {
      assertTrue(
          Duration.between(faultedBy, Instant.parse(run.path("createdAt").asText())).toSeconds()
              >= 9,
          () -> "ran before the UPS had been in FAULT for 10 s: " + run + " " + night);
    }
    JsonNode steps = run.path("steps");
    assertEquals("power lost at ups", steps.get(0).path("detail").asText(), run::toString);
    // A component in FAULT does not take CMD_SOFT_STOP: the run fails at that step, saying so.
    assertEquals("FAILED", run.path("status").asText(), run::toString);
    assertEquals("send_command", steps.get(1).path("action").asText());
    assertTrue(steps.get(1).path("error").asText().contains("ups"), run::toString);
  }

  @Test
  void anEventStartsItsScenariosInPriorityOrder() {
    put(
        "prio_second",
        "name: prio_second\npriority: 20\ntrigger: { type: event, event: { type: PRIO } }\n"
            + "actions:\n  - { type: log_event, message: second }\n");
    put(
        "prio_first",
        "name: prio_first\npriority: 1\ntrigger: { type: event, event: { type: PRIO } }\n"
            + "actions:\n  - { type: log_event, message: first }\n");
    HttpResponse<String> sent = api.post("/api/v1/events", "{\"type\":\"PRIO\"}");
    assertEquals(List.of("prio_first", "prio_second"), names(Api.json(sent).path("matched")));
    awaitRunEnded("prio_first");
    awaitRunEnded("prio_second");
    // Admissions happen one after another in priority order: compare when each was admitted (runs
    // themselves start concurrently once admitted).
    Instant first = admittedAt("prio_first");
    Instant second = admittedAt("prio_second");
    assertTrue(first.isBefore(second), first + " should come before " + second);
  }

  @Test
  void aCooldownHoldsBackTheNextEventRun() {
    put(
        "cool",
        "name: cool\npriority: 1\ncooldown: 1h\ntrigger: { type: event, event: { type: COOL } }\n"
            + "actions:\n  - { type: log_event, message: cool }\n");
    // Dispatch is in priority order: once the marker's run of an event exists, cool's admission
    // for that event has been decided.
    put(
        "cool_marker",
        "name: cool_marker\npriority: 2\nmax_concurrent_executions: 10\n"
            + "trigger: { type: event, event: { type: COOL } }\n"
            + "actions:\n  - { type: log_event, message: marker }\n");
    for (int i = 1; i <= 2; i++) {
      api.post("/api/v1/events", "{\"type\":\"COOL\"}");
      int expected = i;
      Await.until(WITHIN, () -> assertEquals(expected, runs("cool_marker").size()));
    }
    assertEquals(1, runs("cool").size());
    JsonNode view = Api.json(api.get("/api/v1/scenarios/cool"));
    assertEquals(1, view.path("runs").asInt(), view::toString);
    assertTrue(view.hasNonNull("cooldownUntil"), view::toString);
  }

  @Test
  void anAutomaticScenarioRunsWhenItsConditionsHold() {
    register("auto-c");
    awaitState("auto-c", "STOPPED");
    put(
        "auto_on_init",
        "name: auto_on_init\ntrigger: { type: automatic }\nmax_executions: 1\n"
            + "conditions:\n  component: { id: auto-c, state: [INITIALIZED] }\n"
            + "actions:\n  - { type: log_event, message: \"auto-c is up\" }\n");
    assertEquals(0, runs("auto_on_init").size());
    api.post("/api/v1/components/auto-c/lifecycle", "{\"command\":\"CMD_INITIALIZED\"}");
    JsonNode run = awaitRunEnded("auto_on_init");
    assertEquals("SUCCEEDED", run.path("status").asText(), run::toString);
    assertEquals("automatic", run.path("trigger").path("type").asText());
    assertEquals(
        "auto-c: INITIALIZED",
        run.path("explanation").path("detail").asText().substring(0, 19),
        run::toString);
  }

  @Test
  void aFailedWaitMailsItsFailureThroughOnFailure() throws Exception {
    register("never-runs");
    put(
        "mail_on_stuck",
        "name: mail_on_stuck\ntrigger: { type: manual }\nactions:\n"
            + "  - type: wait_for_state\n    target: never-runs\n    state: RUN\n    timeout: 1s\n"
            + "    on_failure:\n"
            + "      - { type: send_email, to: [ops@example.com], subject: \"{{ scenario.name }}"
            + " stuck\", body: \"{{ failure.message }}\" }\n");
    HttpResponse<String> started = api.post("/api/v1/scenarios/mail_on_stuck/run", "{}");
    assertEquals(202, started.statusCode(), started::body);
    JsonNode run = awaitRunEnded("mail_on_stuck");
    assertEquals("FAILED", run.path("status").asText(), run::toString);
    assertEquals("SUCCEEDED", run.path("steps").get(1).path("status").asText(), run::toString);
    assertTrue(smtp.waitForIncomingEmail(30_000, 1), "no mail arrived");
    MimeMessage mail = smtp.getReceivedMessages()[0];
    assertEquals("mail_on_stuck stuck", mail.getSubject());
    String body = String.valueOf(mail.getContent()).trim();
    assertEquals(run.path("steps").get(0).path("error").asText(), body);
    assertTrue(body.contains("timed out"), body);
  }

  @Test
  void aComponentFaultStartsTheScenariosWaitingForIt() {
    put(
        "pump_fault",
        "name: pump_fault\ntrigger: { type: event, event: { type: COMPONENT_FAULT, source: pump } }\n"
            + "actions:\n  - { type: log_event, message: \"{{ trigger.source }}: {{ trigger.data.error }}\" }\n");
    register("pump");
    awaitState("pump", "STOPPED");
    api.post("/api/v1/components/pump/simulate", "{\"fault\":\"fault\"}");
    JsonNode run = awaitRunEnded("pump_fault");
    assertEquals("SUCCEEDED", run.path("status").asText(), run::toString);
    assertEquals("pump", run.path("trigger").path("source").asText());
    assertEquals("COMPONENT_FAULT", run.path("trigger").path("event").asText());
    assertTrue(
        run.path("steps").get(0).path("detail").asText().startsWith("pump: "), run::toString);
    // The built-in fault notification heard of it too.
    Await.until(
        WITHIN,
        () ->
            assertTrue(
                Api.json(api.get("/api/v1/scenarios/fault_notification")).path("runs").asInt()
                    >= 1));
  }

  @Test
  void anEventAnAvenaComponentSendsOnItsOwnStartsAScenario() {
    put(
        "door_watch",
        "name: door_watch\ntrigger: { type: event, event: { type: DOOR_OPEN, source: door-1 } }\n"
            + "actions:\n  - { type: log_event, message: \"{{ trigger.source }} opened at"
            + " {{ trigger.data.angle }} degrees\" }\n");
    String avena =
        """
        {"source": "door-1", "source_address": "127.0.0.1", "source_port": 8001,
         "destination": "orchestrator", "destination_address": "127.0.0.1",
         "destination_port": 8080, "event_type": "DOOR_OPEN", "data": {"angle": 85},
         "id": null, "payload": 1, "to_be_processed": false, "is_processing": false,
         "maximum_processing_time": 20.0, "timestamp": "2026-11-22 05:00:00.123456",
         "result": null}
        """;
    HttpResponse<String> taken = api.as(null).post("/event", avena);
    assertEquals(200, taken.statusCode(), taken::body);
    JsonNode run = awaitRunEnded("door_watch");
    assertEquals("SUCCEEDED", run.path("status").asText(), run::toString);
    assertEquals("door-1", run.path("trigger").path("source").asText());
    assertEquals("door-1 opened at 85 degrees", run.path("steps").get(0).path("detail").asText());
  }

  private static Instant admittedAt(String scenario) {
    return Instant.parse(
        Api.json(api.get("/api/v1/scenarios/" + scenario)).path("lastStartedAt").asText());
  }

  private static List<String> names(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
