package dev.orchestrator.scenario.condition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code orchestrator.scenarios} as read from HOCON over the shipped defaults. */
class DatasourceSettingsTest {

  private static Config config(String hocon) {
    return ConfigFactory.parseString(hocon)
        .withFallback(ConfigFactory.defaultReference())
        .resolve();
  }

  private static String refusal(String hocon) {
    return assertThrows(
            IllegalArgumentException.class, () -> DatasourceSettings.from(config(hocon)))
        .getMessage();
  }

  @Test
  void theDefaultsConfigureNoDatasource() {
    DatasourceSettings settings = DatasourceSettings.from(config(""));
    assertEquals(Map.of(), settings.datasources());
    assertEquals(10_000, settings.maxRows());
    assertEquals(2, settings.poolSize());
    assertEquals(Duration.ofSeconds(5), settings.connectTimeout());
    assertEquals(DatasourceSettings.ownDatabaseOnly(), settings);
  }

  @Test
  void aDatasourceIsReadAndItsPasswordIsNeverPrinted() {
    DatasourceSettings settings =
        DatasourceSettings.from(
            config(
                "orchestrator.scenarios.datasources.warehouse {"
                    + " url = \"jdbc:postgresql://db:5432/wh?password=url-secret&ssl=true\","
                    + " user = reader, password = s3cret-pw }"
                    + "\norchestrator.scenarios.database-condition.max-rows = 50"));
    DatasourceSettings.Datasource warehouse = settings.datasources().get("warehouse");
    assertEquals("reader", warehouse.user());
    assertEquals("s3cret-pw", warehouse.password());
    assertEquals(50, settings.maxRows());
    String printed = settings.toString();
    assertFalse(printed.contains("s3cret-pw"), printed);
    assertFalse(printed.contains("url-secret"), printed);
    assertTrue(printed.contains("jdbc:postgresql://db:5432/wh?password=***&ssl=true"), printed);
  }

  @Test
  void userAndPasswordMayBeLeftOut() {
    DatasourceSettings.Datasource d =
        DatasourceSettings.from(
                config("orchestrator.scenarios.datasources.x.url = \"jdbc:postgresql://h/x\""))
            .datasources()
            .get("x");
    assertEquals(new DatasourceSettings.Datasource("jdbc:postgresql://h/x", "", ""), d);
  }

  @Test
  void badSettingsAreRefusedWithTheKeyThatIsWrong() {
    assertEquals(
        "orchestrator.scenarios.datasources.default: 'default' is the orchestrator's own database"
            + " and cannot be configured",
        refusal("orchestrator.scenarios.datasources.default.url = \"jdbc:postgresql://h/x\""));
    assertEquals(
        "orchestrator.scenarios.datasources.wh.url: must be a JDBC URL such as"
            + " jdbc:postgresql://host:5432/name",
        refusal("orchestrator.scenarios.datasources.wh.url = \"postgres://h/x\""));
    assertEquals(
        "orchestrator.scenarios.datasources.wh.url: must be a JDBC URL such as"
            + " jdbc:postgresql://host:5432/name",
        refusal("orchestrator.scenarios.datasources.wh.user = reader"));
    assertEquals(
        "orchestrator.scenarios.datasources.wh: must be an object { url, user, password }",
        refusal("orchestrator.scenarios.datasources.wh = \"jdbc:postgresql://h/x\""));
    assertTrue(
        refusal("orchestrator.scenarios.datasources.\"bad name\".url = \"jdbc:x\"")
            .startsWith("orchestrator.scenarios.datasources.bad name: the datasource name"));
    assertEquals(
        "orchestrator.scenarios.database-condition.max-rows: must be at least 1, not 0",
        refusal("orchestrator.scenarios.database-condition.max-rows = 0"));
    assertEquals(
        "orchestrator.scenarios.database-condition.connect-timeout: must be at least 250ms",
        refusal("orchestrator.scenarios.database-condition.connect-timeout = 10ms"));
  }
}
