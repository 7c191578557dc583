package dev.orchestrator.scenario.action.notify;

import com.typesafe.config.Config;
import java.net.URI;

/**
 * The SMS gateway {@code send_sms} posts to ({@code orchestrator.scenarios.sms}): {@code POST url}
 * with {@code {"to": [...], "message": "..."}} and, when a token is set, {@code Authorization:
 * Bearer token}. An empty {@code url} means none is configured: {@code send_sms} fails saying so.
 *
 * @param url the gateway; null when none is configured
 * @param token the bearer token; empty for none; never printed
 */
public record SmsSettings(URI url, String token) {

  public static final String PATH = NotifySettings.PATH + ".sms";

  static SmsSettings from(Config config) {
    SettingsReader r = new SettingsReader(config, PATH);
    String url = r.string("url", "ORCH_SMS_URL");
    return new SmsSettings(
        url.isEmpty() ? null : r.url("url", url, "ORCH_SMS_URL"), r.secret("token"));
  }

  /** Whether a gateway is configured. */
  public boolean configured() {
    return url != null;
  }

  @Override
  public String toString() {
    return "SmsSettings[url="
        + (url == null ? "" : NotifyHttp.describe(url))
        + ", token="
        + SettingsReader.mask(token)
        + "]";
  }
}
