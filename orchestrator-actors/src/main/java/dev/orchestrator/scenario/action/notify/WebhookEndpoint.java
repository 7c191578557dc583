package dev.orchestrator.scenario.action.notify;

import java.net.URI;
import java.util.Map;

/**
 * A webhook target configured as {@code orchestrator.scenarios.webhooks.<name> { url, headers {..}
 * }}, which a {@code webhook} action names with {@code endpoint}: the URL and the headers (tokens,
 * say) stay out of scenario files.
 *
 * @param name the name actions use
 * @param url an http or https URL
 * @param headers sent with every request; their values are never printed
 */
public record WebhookEndpoint(String name, URI url, Map<String, String> headers) {

  public WebhookEndpoint {
    headers = Map.copyOf(headers);
  }

  @Override
  public String toString() {
    return "WebhookEndpoint[name="
        + name
        + ", url="
        + NotifyHttp.describe(url)
        + ", headers="
        + headers.keySet().stream().sorted().toList()
        + "]";
  }
}
