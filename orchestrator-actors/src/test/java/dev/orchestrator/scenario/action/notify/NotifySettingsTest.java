package dev.orchestrator.scenario.action.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigResolveOptions;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NotifySettingsTest {

  /** This module's reference.conf, unresolved: the tests choose the environment. */
  private static Config reference() throws Exception {
    List<URL> all =
        Collections.list(NotifySettings.class.getClassLoader().getResources("reference.conf"));
    for (URL url : all) {
      Config config = ConfigFactory.parseURL(url);
      if (config.hasPath("orchestrator.scenarios.email")) {
        return config;
      }
    }
    throw new AssertionError("no reference.conf with orchestrator.scenarios among " + all);
  }

  private static NotifySettings withEnvironment(Map<String, String> env) throws Exception {
    // Variables as root keys: ${?ORCH_X} finds them as it finds environment variables.
    return NotifySettings.from(
        ConfigFactory.parseMap(env)
            .withFallback(reference())
            .resolve(ConfigResolveOptions.noSystem()));
  }

  private static String problem(String hocon) throws Exception {
    Config config =
        ConfigFactory.parseString(hocon)
            .withFallback(reference())
            .resolve(ConfigResolveOptions.noSystem());
    return assertThrows(IllegalArgumentException.class, () -> NotifySettings.from(config))
        .getMessage();
  }

  @Test
  void byDefaultNothingIsConfigured() throws Exception {
    NotifySettings settings = withEnvironment(Map.of());
    assertFalse(settings.email().configured());
    assertEquals(25, settings.email().port());
    assertEquals(Duration.ofSeconds(30), settings.email().timeout());
    assertFalse(settings.sms().configured());
    assertTrue(settings.webhooks().isEmpty());
  }

  @Test
  void theEnvironmentVariablesSetServerAndSecrets() throws Exception {
    NotifySettings settings =
        withEnvironment(
            Map.of(
                "ORCH_SMTP_HOST", "smtp.example.com",
                "ORCH_SMTP_PORT", "587",
                "ORCH_SMTP_FROM", "orchestrator@example.com",
                "ORCH_SMTP_USER", "bot",
                "ORCH_SMTP_PASSWORD", "pw-91x",
                "ORCH_SMS_URL", "https://sms.example.com/v1/send?key=q-77",
                "ORCH_SMS_TOKEN", "tok-55z"));
    EmailSettings email = settings.email();
    assertEquals("smtp.example.com:587", email.address());
    assertEquals("orchestrator@example.com", email.from());
    assertEquals("bot", email.user());
    assertEquals("pw-91x", email.password());
    assertEquals(URI.create("https://sms.example.com/v1/send?key=q-77"), settings.sms().url());
    assertEquals("tok-55z", settings.sms().token());
    String printed = settings.toString();
    assertFalse(printed.contains("pw-91x"), printed);
    assertFalse(printed.contains("tok-55z"), printed);
    assertFalse(printed.contains("q-77"), printed);
    assertTrue(printed.contains("password=****"), printed);
  }

  @Test
  void endpointsAreReadWithTheirHeadersWhoseValuesAreNotPrinted() throws Exception {
    Config config =
        ConfigFactory.parseString(
                "orchestrator.scenarios.webhooks {\n"
                    + "  ops-chat { url = \"https://chat.example.com/hooks/1\","
                    + " headers { Authorization = \"Bearer hdr-secret\", X-Team = ops } }\n"
                    + "  plain { url = \"http://10.0.0.5:8080/alarm\" }\n"
                    + "}")
            .withFallback(reference())
            .resolve(ConfigResolveOptions.noSystem());
    NotifySettings settings = NotifySettings.from(config);
    assertEquals(List.of("ops-chat", "plain"), List.copyOf(settings.webhooks().keySet()));
    WebhookEndpoint chat = settings.webhooks().get("ops-chat");
    assertEquals(URI.create("https://chat.example.com/hooks/1"), chat.url());
    assertEquals(Map.of("Authorization", "Bearer hdr-secret", "X-Team", "ops"), chat.headers());
    assertTrue(settings.webhooks().get("plain").headers().isEmpty());
    assertFalse(settings.toString().contains("hdr-secret"), settings.toString());
  }

  @Test
  void settingsThatCannotWorkAreRefusedNamingThem() throws Exception {
    assertEquals(
        "orchestrator.scenarios.webhooks.\"ops\".url: 'ftp://files.example.com/x' is not an http"
            + " or https URL",
        problem("orchestrator.scenarios.webhooks.ops.url = \"ftp://files.example.com/x\""));
    assertEquals(
        "orchestrator.scenarios.webhooks.\"ops\".url: must be an http or https URL",
        problem("orchestrator.scenarios.webhooks.ops { headers { X = y } }"));
    assertEquals(
        "orchestrator.scenarios.webhooks.\"ops\": unknown setting 'header'; an endpoint has url"
            + " and headers",
        problem(
            "orchestrator.scenarios.webhooks.ops { url = \"https://a.example\", header { X = y }"
                + " }"));
    assertTrue(
        problem(
                "orchestrator.scenarios.webhooks.ops { url = \"https://a.example\","
                    + " headers { Host = evil.example } }")
            .startsWith("orchestrator.scenarios.webhooks.\"ops\".headers: 'Host' cannot be sent"));
    assertEquals(
        "orchestrator.scenarios.email.from is empty: set ORCH_SMTP_FROM to the sender address of"
            + " e-mails",
        problem("orchestrator.scenarios.email.host = smtp.example.com"));
    assertEquals(
        "orchestrator.scenarios.email.port: 70000 is not a port number from 1 to 65535"
            + " (ORCH_SMTP_PORT)",
        problem("orchestrator.scenarios.email.port = 70000"));
    assertTrue(
        problem(
                "orchestrator.scenarios.email { host = smtp.example.com, from = \"a@example.com\","
                    + " ssl = true, starttls = true }")
            .contains("either ssl"));
    assertEquals(
        "orchestrator.scenarios.sms.url: 'smtp://sms.example.com' is not an http or https URL"
            + " (ORCH_SMS_URL)",
        problem("orchestrator.scenarios.sms.url = \"smtp://sms.example.com\""));
    assertEquals(
        "orchestrator.scenarios.email.timeout: must be positive, such as 30s",
        problem("orchestrator.scenarios.email.timeout = 0s"));
  }

  @Test
  void aBadHeaderValueIsNotEchoed() throws Exception {
    String message =
        problem(
            "orchestrator.scenarios.webhooks.ops { url = \"https://a.example\","
                + " headers { Authorization { secret = s-3141 } } }");
    assertEquals(
        "orchestrator.scenarios.webhooks.\"ops\".headers.Authorization: must be a text", message);
  }
}
