package dev.orchestrator.scenario.action.notify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orchestrator.protocol.scenario.Action;
import dev.orchestrator.scenario.action.ActionContext;
import dev.orchestrator.scenario.action.ActionExecutor;
import dev.orchestrator.scenario.action.ActionFailed;
import dev.orchestrator.scenario.action.ActionResult;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code send_sms}: {@code POST} of {@code {"to": [...], "message": "..."}} to the configured
 * gateway, with {@code Authorization: Bearer <token>} when a token is set; the gateway must answer
 * 2xx by the action's deadline. The step's output is the gateway's answer.
 */
final class SmsExecutor implements ActionExecutor {
  private final SmsSettings settings;
  private final NotifyHttp http;
  private final ObjectMapper mapper;

  SmsExecutor(SmsSettings settings, NotifyHttp http, ObjectMapper mapper) {
    this.settings = settings;
    this.http = http;
    this.mapper = mapper;
  }

  @Override
  public CompletionStage<ActionResult> execute(Action action, ActionContext context) {
    if (!(action instanceof Action.SendSms sms)) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("send_sms cannot run a " + action.typeName() + " action"));
    }
    if (!settings.configured()) {
      return CompletableFuture.failedFuture(
          new ActionFailed(
              "no SMS gateway configured: set ORCH_SMS_URL (" + SmsSettings.PATH + ".url)"));
    }
    if (sms.to().isEmpty() || sms.to().stream().anyMatch(r -> r == null || r.isBlank())) {
      return CompletableFuture.failedFuture(
          new ActionFailed("send_sms needs recipients, and none of them empty: " + sms.to()));
    }
    ObjectNode body = mapper.createObjectNode();
    ArrayNode to = body.putArray("to");
    sms.to().forEach(r -> to.add(r.strip()));
    body.put("message", sms.message() == null ? "" : sms.message());
    String target = "SMS gateway " + NotifyHttp.describe(settings.url());
    Map<String, String> headers =
        settings.token().isEmpty()
            ? Map.of()
            : Map.of("Authorization", "Bearer " + settings.token());
    return http.post(
            settings.url(),
            target,
            headers,
            "application/json",
            context.attemptUuid().toString(),
            body.toString(),
            context.deadline())
        .thenApply(
            answer ->
                new ActionResult(
                    "text to "
                        + NotifyActions.recipients(sms.to().size())
                        + " accepted by "
                        + target
                        + " (HTTP "
                        + answer.status()
                        + ")",
                    answer.output()));
  }
}
