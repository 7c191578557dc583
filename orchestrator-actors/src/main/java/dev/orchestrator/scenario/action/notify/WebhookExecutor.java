package dev.orchestrator.scenario.action.notify;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.orchestrator.protocol.scenario.Action;
import dev.orchestrator.scenario.action.ActionContext;
import dev.orchestrator.scenario.action.ActionExecutor;
import dev.orchestrator.scenario.action.ActionFailed;
import dev.orchestrator.scenario.action.ActionResult;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code webhook}: {@code POST} of {@code body} to {@code url}, or to the configured endpoint named
 * {@code endpoint} with its headers. The body goes as {@code application/json} when it is one JSON
 * value, as {@code text/plain} otherwise (an endpoint's own {@code Content-Type} header wins). The
 * target must answer 2xx by the action's deadline; the step's output is its answer, cut after
 * {@value NotifyHttp#KEPT_BODY_BYTES} bytes.
 */
final class WebhookExecutor implements ActionExecutor {
  private final Map<String, WebhookEndpoint> endpoints;
  private final NotifyHttp http;
  private final ObjectReader json;

  WebhookExecutor(Map<String, WebhookEndpoint> endpoints, NotifyHttp http, ObjectMapper mapper) {
    this.endpoints = endpoints;
    this.http = http;
    this.json = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** Where a webhook goes, and how messages name it. */
  private record Target(URI url, String name, Map<String, String> headers) {}

  @Override
  public CompletionStage<ActionResult> execute(Action action, ActionContext context) {
    if (!(action instanceof Action.Webhook webhook)) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("webhook cannot run a " + action.typeName() + " action"));
    }
    Target target;
    try {
      target = target(webhook);
    } catch (ActionFailed e) {
      return CompletableFuture.failedFuture(e);
    }
    String body = webhook.body() == null ? "" : webhook.body();
    return http.post(
            target.url(),
            target.name(),
            target.headers(),
            isJson(body) ? "application/json" : "text/plain; charset=utf-8",
            context.attemptUuid().toString(),
            body,
            context.deadline())
        .thenApply(
            answer ->
                new ActionResult(
                    "POST to " + target.name() + " answered HTTP " + answer.status(),
                    answer.output()));
  }

  private Target target(Action.Webhook webhook) {
    if ((webhook.url() == null) == (webhook.endpoint() == null)) {
      throw new ActionFailed(
          "webhook needs exactly one of url and endpoint (a configured endpoint's name)");
    }
    if (webhook.endpoint() != null) {
      WebhookEndpoint endpoint = endpoints.get(webhook.endpoint());
      if (endpoint == null) {
        throw new ActionFailed(
            "unknown webhook endpoint '"
                + webhook.endpoint()
                + "': "
                + (endpoints.isEmpty()
                    ? "none is configured (" + NotifySettings.PATH + ".webhooks)"
                    : "configured ones are " + String.join(", ", endpoints.keySet())));
      }
      return new Target(
          endpoint.url(),
          "webhook endpoint '" + endpoint.name() + "' (" + NotifyHttp.origin(endpoint.url()) + ")",
          endpoint.headers());
    }
    URI url;
    try {
      url = SettingsReader.httpUrl("webhook url", webhook.url().strip(), null);
    } catch (IllegalArgumentException e) {
      throw new ActionFailed(e.getMessage());
    }
    return new Target(url, "webhook " + NotifyHttp.describe(url), Map.of());
  }

  private boolean isJson(String body) {
    if (body.isBlank()) {
      return false;
    }
    try {
      JsonNode node = json.readTree(body);
      return node != null && !node.isMissingNode();
    } catch (JsonProcessingException e) {
      return false;
    }
  }
}
