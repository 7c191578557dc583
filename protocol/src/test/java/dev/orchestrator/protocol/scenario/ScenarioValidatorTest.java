package dev.orchestrator.protocol.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orchestrator.protocol.scenario.ScenarioLoader.Rejected;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The semantic checks, one broken field at a time: the path and what the message says. */
class ScenarioValidatorTest {

  private static final String HEAD = "name: x\n";

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "trigger: { type: sometimes }                       | trigger.type | trigger type 'sometimes' is unknown",
        "trigger: { type: event }                           | trigger.event | an event trigger needs event",
        "trigger: { type: manual, cron: '0 * * * *' }       | trigger.cron | cron is only for triggers of type schedule",
        "trigger: { type: schedule }                        | trigger.cron | cron is required",
        "trigger: { type: event, event: { type: 'UPS LOST' } } | trigger.event.type | event type 'UPS LOST' may contain only",
        "trigger: { type: manual }\\ncooldown: 8d          | cooldown     | is not a duration",
        "trigger: { type: manual }\\ncooldown: 200h        | cooldown     | cooldown must be between 0s and 168h",
        "trigger: { type: manual }\\nmax_concurrent_executions: 0 | max_concurrent_executions | between 1 and 100",
        "trigger: { type: manual }\\nmax_executions: 0      | max_executions | at least 1",
        "trigger: { type: manual }\\nconditions: { any: [] } | conditions.any | any needs a list of at least one condition",
        "trigger: { type: manual }\\nconditions: { not: null } | conditions.not | a condition is an object with one key",
        "trigger: { type: manual }\\nconditions: { component: { id: ups, state: [] } } | conditions.component.state | at least one state",
        "trigger: { type: manual }\\nconditions: { component: { id: 'group:', state: [RUN] } } | conditions.component.id | group name must not be empty",
        "trigger: { type: manual }\\nconditions: { component: { id: ups, state: [RUN], for: 0s } } | conditions.component.for | for must be more than 0s",
        "trigger: { type: manual }\\nconditions: { health: { target: ups } } | conditions.health | health needs reachable",
        "trigger: { type: manual }\\nconditions: { health: { target: ups, field: t, op: gt, value: hot } } | conditions.health.value | compares numbers",
        "trigger: { type: manual }\\nconditions: { health: { target: ups, field: t, op: about, value: 1 } } | conditions.health.op | op 'about' is unknown",
        "trigger: { type: manual }\\nconditions: { time: { between: ['08:00'] } } | conditions.time.between | between needs two times",
        "trigger: { type: manual }\\nconditions: { time: { between: ['08:00', '08:00'] } } | conditions.time.between | the window would be empty",
        "trigger: { type: manual }\\nconditions: { time: { days: [someday], between: ['08:00', '09:00'] } } | conditions.time.days[0] | 'someday' is not a day",
        "trigger: { type: manual }\\nconditions: { time: { between: ['08:00', '09:00'], timezone: Nowhere } } | conditions.time.timezone | not a time zone",
        "trigger: { type: manual }\\nconditions: { database: { datasource: db, query: 'SELECT 1', timeout: 2m } } | conditions.database.timeout | at most 1m",
        "trigger: { type: manual }\\nconditions: { database: { datasource: db, query: 'SELECT 1', expect: { of: rows, op: ge, value: -1 } } } | conditions.database.expect.value | 0 or more",
        "trigger: { type: manual }\\nconditions: { database: { datasource: db, query: 'SELECT 1', expect: { of: cells, op: eq, value: 1 } } } | conditions.database.expect.of | expect.of must be rows",
        "trigger: { type: manual }\\nconditions: { command: { status: [FAILED] } } | conditions.command | exactly one of id",
        "trigger: { type: manual }\\nconditions: { run: { scenario: other, status: [LOST] } } | conditions.run.status[0] | 'LOST' is not a RunStatus",
        "trigger: { type: manual }\\nactions: [{ type: send_command, target: ups }] | actions[0].command | command (one of CMD_...) is required",
        "trigger: { type: manual }\\nactions: [{ type: send_command, target: ups, command: CMD_RUN, order: random }] | actions[0].order | order 'random' is unknown",
        "trigger: { type: manual }\\nactions: [{ type: wait_for_state, target: ups, state: RUN }] | actions[0].timeout | timeout (wait_for_state must not wait for ever) is required",
        "trigger: { type: manual }\\nactions: [{ type: log_event, level: loud, message: x }] | actions[0].level | level 'loud' is unknown",
        "trigger: { type: manual }\\nactions: [{ type: log_event, message: x, timeout: 0ms }] | actions[0].timeout | timeout must be more than 0s",
        "trigger: { type: manual }\\nactions: [{ type: log_event, message: x, retry: { attempts: 11 } }] | actions[0].retry.attempts | between 1 and 10",
        "trigger: { type: manual }\\nactions: [{ type: execute_scenario, name: x }] | actions[0].name | cannot execute itself",
        "trigger: { type: manual }\\nactions: [{ type: enqueue_command, name: b, input: { a: ['{{ env.HOME }}'] } }] | actions[0].input.a[0] | not a template placeholder",
        "trigger: { type: manual }\\nactions: [{ type: send_email, to: [nobody], subject: s }] | actions[0].to[0] | 'nobody' is not an e-mail address",
        "trigger: { type: manual }\\nactions: [{ type: send_email, to: ops@example.com, subject: s }] | actions[0].to | expected a list",
        "trigger: { type: manual }\\nactions: [{ type: send_sms, to: ['call me'], message: m }] | actions[0].to[0] | not a phone number",
        "trigger: { type: manual }\\nactions: [{ type: webhook, url: 'http://a.example', endpoint: e }] | actions[0] | exactly one of url and endpoint",
        "trigger: { type: manual }\\nactions: [{ type: webhook, url: 'file:///etc/passwd' }] | actions[0].url | absolute http or https URL",
        "trigger: { type: manual }\\nactions: [{ type: send_command, target: '{{ os.exec }}', command: CMD_RUN }] | actions[0].target | not a template placeholder",
        "trigger: { type: manual }\\nactions: [{ target: ups }] | actions[0] | an action needs a type",
        "trigger: { type: manual }\\nactions: [null] | actions[0] | an action is required here",
        "trigger: { type: manual }\\nactions: [{ type: send_sms, to: [+48123456789], message: m }] | actions[0].to[0] | expected a text (put quotes around it)",
        "trigger: { type: manual }\\nactions: [{ type: log_event, message: true }] | actions[0].message | expected a text",
        "trigger: { type: manual }\\nactions: [{ type: log_event }] | actions[0].message | message is required",
        "trigger:\\nactions: [{ type: log_event, message: x }] | trigger | expected a mapping of fields",
      })
  void refused(String body, String path, String message) {
    String yaml = HEAD + body.replace("\\n", "\n") + "\n";
    if (!yaml.contains("actions:")) {
      yaml += "actions: [{ type: log_event, message: ok }]\n";
    }
    String text = yaml;
    ScenarioLoader.Result r = ScenarioLoader.load("v.yaml", text);
    List<ScenarioProblem> problems =
        assertInstanceOf(Rejected.class, r, () -> "loaded: " + text).problems();
    assertTrue(
        problems.stream().anyMatch(p -> p.path().equals(path) && p.message().contains(message)),
        () -> problems.toString());
    assertTrue(problems.stream().allMatch(p -> p.line() > 0), problems::toString);
    assertEquals("v.yaml", problems.get(0).file());
  }
}
