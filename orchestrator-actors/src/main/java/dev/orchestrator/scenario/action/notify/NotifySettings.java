package dev.orchestrator.scenario.action.notify;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@code orchestrator.scenarios} settings of the notification actions ({@code send_email},
 * {@code send_sms}, {@code webhook}), read once per node and validated at start: a setting that
 * cannot work stops the start with a message that names it. Secrets are never printed.
 *
 * @param email the SMTP server
 * @param sms the SMS gateway
 * @param webhooks the named webhook endpoints, by name, sorted
 */
public record NotifySettings(
    EmailSettings email, SmsSettings sms, Map<String, WebhookEndpoint> webhooks) {

  public static final String PATH = "orchestrator.scenarios";
  private static final String WEBHOOKS = PATH + ".webhooks";
  private static final Set<String> ENDPOINT_KEYS = Set.of("url", "headers");

  public NotifySettings {
    webhooks = Collections.unmodifiableMap(new TreeMap<>(webhooks));
  }

  /**
   * Reads and checks the settings.
   *
   * @throws IllegalArgumentException naming the first setting that cannot work
   */
  public static NotifySettings from(Config config) {
    return new NotifySettings(
        EmailSettings.from(config), SmsSettings.from(config), webhooks(config));
  }

  private static Map<String, WebhookEndpoint> webhooks(Config config) {
    ConfigObject root;
    try {
      root = config.getObject(WEBHOOKS);
    } catch (ConfigException e) {
      throw new IllegalArgumentException(
          WEBHOOKS + ": must be an object of endpoints, such as ops { url = \"https://...\" }", e);
    }
    Map<String, WebhookEndpoint> endpoints = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> entry : root.entrySet()) {
      endpoints.put(entry.getKey(), endpoint(entry.getKey(), entry.getValue()));
    }
    return endpoints;
  }

  private static WebhookEndpoint endpoint(String name, ConfigValue value) {
    String path = WEBHOOKS + ".\"" + name + "\"";
    if (!(value instanceof ConfigObject object)) {
      throw new IllegalArgumentException(
          path + ": must be an object { url = \"https://...\", headers { .. } }");
    }
    for (String key : object.keySet()) {
      if (!ENDPOINT_KEYS.contains(key)) {
        throw new IllegalArgumentException(
            path + ": unknown setting '" + key + "'; an endpoint has url and headers");
      }
    }
    ConfigValue url = object.get("url");
    if (url == null || url.valueType() != ConfigValueType.STRING) {
      throw new IllegalArgumentException(path + ".url: must be an http or https URL");
    }
    URI uri = SettingsReader.httpUrl(path + ".url", ((String) url.unwrapped()).strip(), null);
    return new WebhookEndpoint(name, uri, headers(path, object.get("headers")));
  }

  private static Map<String, String> headers(String path, ConfigValue value) {
    Map<String, String> headers = new LinkedHashMap<>();
    if (value == null) {
      return headers;
    }
    if (!(value instanceof ConfigObject object)) {
      throw new IllegalArgumentException(
          path + ".headers: must be an object of header names and texts");
    }
    for (Map.Entry<String, ConfigValue> header : object.entrySet()) {
      String name = header.getKey();
      ConfigValueType type = header.getValue().valueType();
      if (type != ConfigValueType.STRING && type != ConfigValueType.NUMBER) {
        // The value may be a secret: name the header only.
        throw new IllegalArgumentException(path + ".headers." + name + ": must be a text");
      }
      String text = String.valueOf(header.getValue().unwrapped());
      try {
        HttpRequest.newBuilder().header(name, text);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            path
                + ".headers: '"
                + name
                + "' cannot be sent (a restricted or invalid header name, or a value with line"
                + " breaks)");
      }
      headers.put(name, text);
    }
    return headers;
  }
}
