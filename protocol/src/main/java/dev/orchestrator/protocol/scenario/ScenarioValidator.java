package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.Durations;
import dev.orchestrator.protocol.Ids;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.lifecycle.LifecycleRunSpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The checks that a bound {@link Scenario} must pass beyond its shape: ids, ranges, cron,
 * timezones, times, targets, durations, read-only queries, templates and nesting limits. Each issue
 * carries the path of the offending node, in the form {@link ScenarioLoader} uses to find its line.
 */
public final class ScenarioValidator {
  public static final int MAX_ACTIONS = 100;
  public static final int MAX_ON_FAILURE_DEPTH = 3;
  public static final int MAX_CONDITION_DEPTH = 8;
  public static final int MAX_CONDITIONS = 100;
  public static final int MAX_CONCURRENT_EXECUTIONS = 100;
  public static final int MAX_RECIPIENTS = 50;
  public static final int MAX_TEXT = 10_000;
  public static final Duration MAX_TIMEOUT = Duration.ofHours(24);
  public static final Duration MAX_COOLDOWN = Duration.ofDays(7);
  public static final Duration MAX_BACKOFF = Duration.ofHours(1);

  private static final Pattern HH_MM = Pattern.compile("([01][0-9]|2[0-3]):[0-5][0-9]");
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");
  private static final Pattern PHONE = Pattern.compile("\\+?[0-9]{3,15}");
  private static final Pattern FIELD =
      Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*(\\.[A-Za-z_][A-Za-z0-9_-]*)*");
  private static final Pattern SINGLE_PLACEHOLDER = Pattern.compile("\\{\\{[^{}]*}}");

  /** One problem and where it is. */
  public record Issue(String path, String message) {}

  private final List<Issue> issues = new ArrayList<>();
  private int conditionCount;

  private ScenarioValidator() {}

  /** Everything wrong with {@code scenario}; empty when it may be stored and run. */
  public static List<Issue> validate(Scenario scenario) {
    ScenarioValidator v = new ScenarioValidator();
    v.scenario(scenario);
    return List.copyOf(v.issues);
  }

  private void add(String path, String message) {
    issues.add(new Issue(path, message));
  }

  private static String at(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }

  private static String at(String path, int index) {
    return path + "[" + index + "]";
  }

  private void scenario(Scenario s) {
    id("name", "name", s.name());
    if (s.description() != null && s.description().length() > MAX_TEXT) {
      add("description", "description is longer than " + MAX_TEXT + " characters");
    }
    if (s.priority() < Scenario.MIN_PRIORITY || s.priority() > Scenario.MAX_PRIORITY) {
      add(
          "priority",
          "priority "
              + s.priority()
              + " is out of range; use "
              + Scenario.MIN_PRIORITY
              + " (first) to "
              + Scenario.MAX_PRIORITY);
    }
    trigger(s.trigger());
    if (s.conditions() != null) {
      condition("conditions", s.conditions(), 1);
    }
    if (s.cooldown().isNegative() || s.cooldown().compareTo(MAX_COOLDOWN) > 0) {
      add("cooldown", "cooldown must be between 0s and " + Durations.format(MAX_COOLDOWN));
    }
    if (s.maxConcurrentExecutions() < 1
        || s.maxConcurrentExecutions() > MAX_CONCURRENT_EXECUTIONS) {
      add(
          "max_concurrent_executions",
          "max_concurrent_executions must be between 1 and " + MAX_CONCURRENT_EXECUTIONS);
    }
    if (s.maxExecutions() != null && s.maxExecutions() < 1) {
      add("max_executions", "max_executions must be at least 1, or absent for no limit");
    }
    if (s.actions().isEmpty()) {
      add("actions", "actions must list at least one action");
    }
    actions("actions", s.actions(), 0, s.name());
  }

  private void trigger(Trigger t) {
    if (t == null) {
      add("trigger", "trigger is required: { type: automatic | event | schedule | manual }");
      return;
    }
    if (t.type() == null) {
      add("trigger", "trigger needs a type: one of " + String.join(", ", Trigger.TYPES));
      return;
    }
    if (!Trigger.TYPES.contains(t.type())) {
      add(
          "trigger.type",
          "trigger type '"
              + t.type()
              + "' is unknown; use one of "
              + String.join(", ", Trigger.TYPES));
      return;
    }
    if (t.type().equals("event")) {
      if (t.event() == null) {
        add("trigger.event", "an event trigger needs event: { type: ..., source: ... }");
      } else {
        id("trigger.event.type", "event type", t.event().type());
        if (t.event().source() != null) {
          id("trigger.event.source", "event source", t.event().source());
        }
      }
    } else if (t.event() != null) {
      add("trigger.event", "event is only for triggers of type event");
    }
    if (t.type().equals("schedule")) {
      try {
        CronExpression.parse(t.cron());
      } catch (IllegalArgumentException e) {
        add("trigger.cron", e.getMessage());
      }
      if (t.timezone() != null) {
        zone("trigger.timezone", t.timezone());
      }
    } else {
      if (t.cron() != null) {
        add("trigger.cron", "cron is only for triggers of type schedule");
      }
      if (t.timezone() != null) {
        add("trigger.timezone", "timezone is only for triggers of type schedule");
      }
    }
  }

  private void condition(String path, Condition c, int depth) {
    if (c == null) {
      add(path, "a condition is required here: an object with one key");
      return;
    }
    if (++conditionCount == MAX_CONDITIONS + 1) {
      add(path, "more than " + MAX_CONDITIONS + " conditions in one scenario");
    }
    if (depth > MAX_CONDITION_DEPTH) {
      add(path, "conditions are nested deeper than " + MAX_CONDITION_DEPTH + " levels");
      return;
    }
    if (c instanceof Condition.Not not) {
      condition(at(path, "not"), not.not(), depth + 1);
    } else if (c instanceof Condition.Component leaf) {
      component(at(path, "component"), leaf.component());
    } else if (c instanceof Condition.Health leaf) {
      health(at(path, "health"), leaf.health());
    } else if (c instanceof Condition.Time leaf) {
      time(at(path, "time"), leaf.time());
    } else if (c instanceof Condition.Database leaf) {
      database(at(path, "database"), leaf.database());
    } else if (c instanceof Condition.Command leaf) {
      command(at(path, "command"), leaf.command());
    } else if (c instanceof Condition.Run leaf) {
      run(at(path, "run"), leaf.run());
    } else {
      String key = combinatorKey(c);
      String p = at(path, key);
      if (c.children().isEmpty()) {
        add(p, key + " needs a list of at least one condition");
      }
      for (int i = 0; i < c.children().size(); i++) {
        condition(at(p, i), c.children().get(i), depth + 1);
      }
    }
  }

  private static String combinatorKey(Condition c) {
    return c.getClass().getSimpleName().toLowerCase(Locale.ROOT);
  }

  private boolean required(String path, String what, Object value) {
    if (value == null) {
      add(path, what + " is required");
      return false;
    }
    return true;
  }

  private void component(String path, Condition.ComponentState leaf) {
    if (required(path, "component", leaf)) {
      target(at(path, "id"), "id", leaf.id());
      states(at(path, "state"), leaf.state());
      if (leaf.forAtLeast() != null) {
        positive(at(path, "for"), "for", leaf.forAtLeast(), MAX_COOLDOWN);
      }
    }
  }

  private void states(String path, List<FsmState> states) {
    if (states.isEmpty()) {
      add(path, "state must list at least one state");
    }
    for (int i = 0; i < states.size(); i++) {
      required(at(path, i), "a state", states.get(i));
    }
  }

  private void health(String path, Condition.HealthCheck leaf) {
    if (!required(path, "health", leaf)) {
      return;
    }
    target(at(path, "target"), "target", leaf.target());
    if (leaf.reachable() == null && leaf.field() == null) {
      add(path, "health needs reachable: true|false, or field, op and value");
    }
    if (leaf.field() == null) {
      if (leaf.op() != null || leaf.value() != null) {
        add(path, "op and value compare a field: add field, such as battery.level");
      }
      return;
    }
    if (!FIELD.matcher(leaf.field()).matches()) {
      add(at(path, "field"), "field must be a dotted path of names, such as battery.level");
    }
    compare(path, leaf.op(), leaf.value());
  }

  private void compare(String path, String op, JsonNode value) {
    if (op != null && !Condition.HealthCheck.OPS.contains(op)) {
      add(
          at(path, "op"),
          "op '" + op + "' is unknown; use one of " + String.join(", ", Condition.HealthCheck.OPS));
    }
    if (value == null || value.isNull()) {
      add(path, "value is required: what to compare with");
    } else if (!value.isValueNode()) {
      add(at(path, "value"), "value must be a number, a text or true/false");
    } else if (op != null && List.of("lt", "le", "gt", "ge").contains(op) && !value.isNumber()) {
      add(at(path, "value"), "op " + op + " compares numbers: value must be a number");
    }
  }

  private void time(String path, Condition.TimeWindow leaf) {
    if (!required(path, "time", leaf)) {
      return;
    }
    String between = at(path, "between");
    if (leaf.between().size() != 2) {
      add(between, "between needs two times, from and to, such as [\"22:00\", \"06:00\"]");
    } else {
      for (int i = 0; i < 2; i++) {
        String t = leaf.between().get(i);
        if (t == null || !HH_MM.matcher(t).matches()) {
          add(at(between, i), "'" + t + "' is not a time of day; write HH:mm, such as 06:30");
        }
      }
      if (leaf.between().get(0) != null && leaf.between().get(0).equals(leaf.between().get(1))) {
        add(between, "between starts and ends at the same time: the window would be empty");
      }
    }
    if (leaf.days() != null) {
      if (leaf.days().isEmpty()) {
        add(at(path, "days"), "days must list at least one day, or be left out for every day");
      }
      for (int i = 0; i < leaf.days().size(); i++) {
        if (dayOfWeek(leaf.days().get(i)) == null) {
          add(
              at(at(path, "days"), i),
              "'"
                  + leaf.days().get(i)
                  + "' is not a day; write mon, tue, wed, thu, fri, sat or sun");
        }
      }
    }
    if (leaf.timezone() != null) {
      zone(at(path, "timezone"), leaf.timezone());
    }
  }

  /** The day a time condition names ({@code mon}, {@code Monday}, ...), null if none. */
  public static DayOfWeek dayOfWeek(String name) {
    if (name == null || name.length() < 3) {
      return null;
    }
    String n = name.toUpperCase(Locale.ROOT);
    for (DayOfWeek d : DayOfWeek.values()) {
      if (d.name().equals(n) || d.name().substring(0, 3).equals(n)) {
        return d;
      }
    }
    return null;
  }

  private void database(String path, Condition.DatabaseQuery leaf) {
    if (!required(path, "database", leaf)) {
      return;
    }
    id(at(path, "datasource"), "datasource", leaf.datasource());
    String problem = ReadOnlyQuery.problem(leaf.query());
    if (problem != null) {
      add(at(path, "query"), problem);
    }
    if (leaf.timeout() != null) {
      positive(at(path, "timeout"), "timeout", leaf.timeout(), Condition.DatabaseQuery.MAX_TIMEOUT);
    }
    Condition.Expect expect = leaf.expect();
    if (expect != null) {
      String p = at(path, "expect");
      if (expect.of() == null || !Condition.Expect.OF.contains(expect.of())) {
        add(
            at(p, "of"),
            "expect.of must be rows (the number of rows) or value (the first column of the first"
                + " row)");
      }
      compare(p, expect.op(), expect.value());
      if ("rows".equals(expect.of())
          && expect.value() != null
          && !(expect.value().canConvertToLong() && expect.value().asLong() >= 0)) {
        add(at(p, "value"), "rows are compared with a whole number, 0 or more");
      }
    }
  }

  private void command(String path, Condition.CommandCheck leaf) {
    if (!required(path, "command", leaf)) {
      return;
    }
    if ((leaf.id() == null) == (leaf.name() == null)) {
      add(path, "command needs exactly one of id (a command id) and name (a handler name)");
    } else if (leaf.name() != null) {
      id(at(path, "name"), "name", leaf.name());
    } else if (leaf.id().isBlank() || leaf.id().length() > 200) {
      add(at(path, "id"), "id must be a command id");
    }
    if (leaf.status().isEmpty()) {
      add(path, "status must list at least one command status");
    }
    for (int i = 0; i < leaf.status().size(); i++) {
      required(at(at(path, "status"), i), "a status", leaf.status().get(i));
    }
  }

  private void run(String path, Condition.RunCheck leaf) {
    if (!required(path, "run", leaf)) {
      return;
    }
    id(at(path, "scenario"), "scenario", leaf.scenario());
    if (leaf.status().isEmpty()) {
      add(path, "status must list at least one run status");
    }
    for (int i = 0; i < leaf.status().size(); i++) {
      required(at(at(path, "status"), i), "a status", leaf.status().get(i));
    }
  }

  private void actions(String path, List<Action> actions, int depth, String scenarioName) {
    if (actions.size() > MAX_ACTIONS) {
      add(path, actions.size() + " actions in one list; at most " + MAX_ACTIONS);
      return;
    }
    for (int i = 0; i < actions.size(); i++) {
      action(at(path, i), actions.get(i), depth, scenarioName);
    }
  }

  private void action(String path, Action a, int depth, String scenarioName) {
    if (a == null) {
      add(path, "an action is required here: { type: ..., ... }");
      return;
    }
    if (a.timeout() != null) {
      positive(at(path, "timeout"), "timeout", a.timeout(), MAX_TIMEOUT);
    }
    if (a.retry() != null) {
      String p = at(path, "retry");
      if (a.retry().attempts() < 1 || a.retry().attempts() > Retry.MAX_ATTEMPTS) {
        add(at(p, "attempts"), "retry.attempts must be between 1 and " + Retry.MAX_ATTEMPTS);
      }
      if (a.retry().backoff() != null) {
        positive(at(p, "backoff"), "backoff", a.retry().backoff(), MAX_BACKOFF);
      }
    }
    if (a instanceof Action.SendCommand x) {
      target(at(path, "target"), "target", x.target());
      required(at(path, "command"), "command (one of CMD_...)", x.command());
      if (x.order() != null && !LifecycleRunSpec.ORDERS.contains(x.order())) {
        add(
            at(path, "order"),
            "order '" + x.order() + "' is unknown; use none, dependencies or reverse-dependencies");
      }
    } else if (a instanceof Action.WaitForState x) {
      target(at(path, "target"), "target", x.target());
      required(at(path, "state"), "state", x.state());
      required(at(path, "timeout"), "timeout (wait_for_state must not wait for ever)", x.timeout());
    } else if (a instanceof Action.LogEvent x) {
      if (x.level() != null && !Action.LEVELS.contains(x.level())) {
        add(
            at(path, "level"),
            "level '" + x.level() + "' is unknown; use one of " + String.join(", ", Action.LEVELS));
      }
      text(path, "message", x.message(), true);
    } else if (a instanceof Action.ExecuteScenario x) {
      id(at(path, "name"), "name", x.name());
      if (x.name() != null && x.name().equals(scenarioName)) {
        add(at(path, "name"), "a scenario cannot execute itself");
      }
    } else if (a instanceof Action.EnqueueCommand x) {
      id(at(path, "name"), "name", x.name());
      if (x.input() != null) {
        templatesIn(at(path, "input"), x.input());
      }
    } else if (a instanceof Action.SendEmail x) {
      recipients(path, x.to(), EMAIL, "an e-mail address");
      text(path, "subject", x.subject(), true);
      text(path, "body", x.body(), false);
    } else if (a instanceof Action.SendSms x) {
      recipients(path, x.to(), PHONE, "a phone number (digits, optionally a leading +)");
      text(path, "message", x.message(), true);
    } else if (a instanceof Action.Webhook x) {
      webhook(path, x);
    }
    if (!a.onFailure().isEmpty()) {
      if (depth + 1 > MAX_ON_FAILURE_DEPTH) {
        add(
            at(path, "on_failure"),
            "on_failure is nested deeper than " + MAX_ON_FAILURE_DEPTH + " levels");
      } else {
        actions(at(path, "on_failure"), a.onFailure(), depth + 1, scenarioName);
      }
    }
  }

  private void webhook(String path, Action.Webhook x) {
    if ((x.url() == null) == (x.endpoint() == null)) {
      add(path, "webhook needs exactly one of url and endpoint (a configured endpoint's name)");
    } else if (x.endpoint() != null) {
      id(at(path, "endpoint"), "endpoint", x.endpoint());
    } else {
      try {
        URI uri = new URI(x.url());
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())
            || uri.getHost() == null) {
          add(at(path, "url"), "url must be an absolute http or https URL");
        }
      } catch (URISyntaxException e) {
        add(at(path, "url"), "url is not a URL: " + e.getReason());
      }
    }
    text(path, "body", x.body(), false);
  }

  private void recipients(String path, List<String> to, Pattern format, String what) {
    String p = at(path, "to");
    if (to.isEmpty()) {
      add(p, "to must list at least one recipient");
    } else if (to.size() > MAX_RECIPIENTS) {
      add(p, "to lists " + to.size() + " recipients; at most " + MAX_RECIPIENTS);
    }
    for (int i = 0; i < to.size(); i++) {
      String r = to.get(i);
      if (r != null && SINGLE_PLACEHOLDER.matcher(r.strip()).matches()) {
        templates(at(p, i), r);
      } else if (r == null || !format.matcher(r).matches()) {
        add(at(p, i), "'" + r + "' is not " + what);
      }
    }
  }

  private void text(String path, String field, String value, boolean required) {
    String p = at(path, field);
    if (value == null) {
      if (required) {
        add(p, field + " is required");
      }
    } else if (value.length() > MAX_TEXT) {
      add(p, field + " is longer than " + MAX_TEXT + " characters");
    } else {
      templates(p, value);
    }
  }

  private void templatesIn(String path, JsonNode node) {
    if (node.isTextual()) {
      templates(path, node.textValue());
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        templatesIn(at(path, i), node.get(i));
      }
    } else if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        templatesIn(at(path, f.getKey()), f.getValue());
      }
    }
  }

  private void templates(String path, String text) {
    for (String problem : Template.problems(text)) {
      add(path, problem);
    }
  }

  /** A component id, {@code group:name} or {@code @all}; or a single template placeholder. */
  private void target(String path, String what, String target) {
    if (target == null) {
      add(path, what + " is required: a component id, group:<name> or @all");
      return;
    }
    if (target.equals("@all")) {
      return;
    }
    if (SINGLE_PLACEHOLDER.matcher(target.strip()).matches()) {
      templates(path, target);
      return;
    }
    String problem =
        target.startsWith("group:")
            ? Ids.problem("group name", target.substring(6))
            : Ids.problem(what, target);
    if (problem != null) {
      add(path, problem + " (a target is a component id, group:<name> or @all)");
    }
  }

  private void id(String path, String what, String value) {
    if (value == null) {
      add(path, what + " is required");
      return;
    }
    String problem = Ids.problem(what, value);
    if (problem != null) {
      add(path, problem);
    }
  }

  private void zone(String path, String zone) {
    try {
      ZoneId.of(zone);
    } catch (DateTimeException e) {
      add(path, "'" + zone + "' is not a time zone; use a region id such as Europe/Warsaw or UTC");
    }
  }

  private void positive(String path, String what, Duration d, Duration max) {
    if (d.isZero() || d.isNegative() || d.compareTo(max) > 0) {
      add(path, what + " must be more than 0s and at most " + Durations.format(max));
    }
  }
}
