package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Renders the templated fields of an action: the texts the validator checks for placeholders
 * (messages, subjects, bodies, recipients, targets, string values of a command's input). Nothing
 * else changes; what a lookup returns stays text ({@link Template#render}).
 */
public final class ActionTemplates {
  private ActionTemplates() {}

  /** The lookup of one run: its trigger, scenario, id and the failure being handled, if any. */
  public static Function<String, String> scope(
      RunTrigger trigger, String scenario, String runId, String failureMessage) {
    return path ->
        switch (path) {
          case "trigger.source" -> trigger == null ? null : trigger.source();
          case "scenario.name" -> scenario;
          case "run.id" -> runId;
          case "failure.message" -> failureMessage;
          default -> path.startsWith("trigger.data.") ? data(trigger, path) : null;
        };
  }

  private static String data(RunTrigger trigger, String path) {
    if (trigger == null || trigger.data() == null) {
      return null;
    }
    JsonNode node = trigger.data();
    for (String name : path.substring("trigger.data.".length()).split("\\.")) {
      node = node.get(name);
      if (node == null || node.isNull()) {
        return null;
      }
    }
    return node.isValueNode() ? node.asText() : node.toString();
  }

  /** {@code action} with its templated fields rendered through {@code lookup}. */
  public static Action render(Action action, Function<String, String> lookup) {
    Function<String, String> r = text -> text == null ? null : Template.render(text, lookup);
    if (action instanceof Action.SendCommand a) {
      return new Action.SendCommand(
          r.apply(a.target()), a.command(), a.order(), a.timeout(), a.retry(), a.onFailure());
    } else if (action instanceof Action.WaitForState a) {
      return new Action.WaitForState(
          r.apply(a.target()), a.state(), a.timeout(), a.retry(), a.onFailure());
    } else if (action instanceof Action.LogEvent a) {
      return new Action.LogEvent(
          a.level(), r.apply(a.message()), a.timeout(), a.retry(), a.onFailure());
    } else if (action instanceof Action.EnqueueCommand a) {
      return new Action.EnqueueCommand(
          a.name(), renderJson(a.input(), r), a.await(), a.timeout(), a.retry(), a.onFailure());
    } else if (action instanceof Action.SendEmail a) {
      return new Action.SendEmail(
          all(a.to(), r),
          r.apply(a.subject()),
          r.apply(a.body()),
          a.timeout(),
          a.retry(),
          a.onFailure());
    } else if (action instanceof Action.SendSms a) {
      return new Action.SendSms(
          all(a.to(), r), r.apply(a.message()), a.timeout(), a.retry(), a.onFailure());
    } else if (action instanceof Action.Webhook a) {
      return new Action.Webhook(
          a.url(), a.endpoint(), r.apply(a.body()), a.timeout(), a.retry(), a.onFailure());
    }
    return action;
  }

  private static List<String> all(List<String> texts, Function<String, String> r) {
    return texts.stream().map(r).toList();
  }

  private static JsonNode renderJson(JsonNode node, Function<String, String> r) {
    if (node == null) {
      return null;
    } else if (node.isTextual()) {
      return TextNode.valueOf(r.apply(node.textValue()));
    } else if (node.isArray()) {
      ArrayNode out = JsonNodeFactory.instance.arrayNode();
      node.forEach(item -> out.add(renderJson(item, r)));
      return out;
    } else if (node.isObject()) {
      ObjectNode out = JsonNodeFactory.instance.objectNode();
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        out.set(f.getKey(), renderJson(f.getValue(), r));
      }
      return out;
    }
    return node;
  }
}
