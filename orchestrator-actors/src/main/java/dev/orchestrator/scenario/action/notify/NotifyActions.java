package dev.orchestrator.scenario.action.notify;

import akka.actor.typed.ActorSystem;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchestrator.scenario.action.ActionExecutor;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;

/**
 * The notification actions, {@code send_email}, {@code send_sms} and {@code webhook}, as executors
 * by action type, for the run entity's registry. They share one HTTP client; SMTP runs on the
 * blocking executor.
 */
public final class NotifyActions {
  private NotifyActions() {}

  /**
   * Reads {@code orchestrator.scenarios} and creates the executors.
   *
   * @param blocking where SMTP runs: the {@code Bootstrap.BLOCKING_DISPATCHER} executor
   * @throws IllegalArgumentException when a setting cannot work, naming it
   */
  public static Map<String, ActionExecutor> create(ActorSystem<?> system, Executor blocking) {
    NotifySettings settings = NotifySettings.from(system.settings().config());
    ObjectMapper mapper =
        JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
    return create(settings, mapper, blocking);
  }

  /** The executors for {@code settings}. */
  public static Map<String, ActionExecutor> create(
      NotifySettings settings, ObjectMapper mapper, Executor blocking) {
    NotifyHttp http = new NotifyHttp(NotifyHttp.newClient());
    return Map.of(
        "send_email", new EmailExecutor(settings.email(), blocking),
        "send_sms", new SmsExecutor(settings.sms(), http, mapper),
        "webhook", new WebhookExecutor(settings.webhooks(), http, mapper));
  }

  /** {@code 1 recipient}, {@code 2 recipients}. */
  static String recipients(int n) {
    return n == 1 ? "1 recipient" : n + " recipients";
  }
}
