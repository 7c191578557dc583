package dev.orchestrator.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.gateway.AuthMatrixTest.Call;
import dev.orchestrator.gateway.AuthMatrixTest.Effect;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The scenario API's rows of {@link AuthMatrixTest}: {@code /scenarios}, {@code /runs} and {@code
 * /events}. A case that gets through (right or higher role) first defines what it acts on; a
 * refused one does not, and must leave the journal without any event of its key.
 */
final class ScenarioAuthCalls {
  private static final String SCENARIOS = "/api/v1/scenarios/";
  private static final Effect NONE = (key, path, allowed) -> {};

  private final Supplier<GatewayFixture> gateway;

  private ScenarioAuthCalls(Supplier<GatewayFixture> gateway) {
    this.gateway = gateway;
  }

  static List<Call> calls(Supplier<GatewayFixture> gateway) {
    return new ScenarioAuthCalls(gateway).calls();
  }

  private GatewayFixture gw() {
    return gateway.get();
  }

  private List<Call> calls() {
    return List.of(
        new Call("GET scenarios", "GET", "viewer", 200, k -> "/api/v1/scenarios", k -> null, NONE),
        new Call(
            "GET scenario",
            "GET",
            "viewer",
            200,
            k -> SCENARIOS + defineIfThrough(k, LOG),
            k -> null,
            NONE),
        new Call(
            "PUT scenario",
            "PUT",
            "admin",
            201,
            k -> SCENARIOS + k,
            k -> scenario(k, LOG),
            (k, path, allowed) -> {
              if (allowed) {
                HttpResponse<String> read = gw().admin.get(path);
                assertEquals(200, read.statusCode(), read::body);
                assertEquals(1, Api.json(read).path("version").asLong(), read::body);
              } else {
                assertEquals(0, scenarioEvents(k), "events of scenario " + k);
              }
            }),
        new Call(
            "POST scenario validate",
            "POST",
            "viewer",
            200,
            k -> SCENARIOS + "validate",
            k -> scenario(k, LOG),
            NONE),
        new Call(
            "POST scenario disable",
            "POST",
            "admin",
            200,
            k -> SCENARIOS + defineIfThrough(k, LOG) + "/disable",
            k -> null,
            enabledAfter(false)),
        new Call(
            "POST scenario enable",
            "POST",
            "admin",
            200,
            k -> {
              String name = defineIfThrough(k, LOG);
              if (throughCase(k)) {
                HttpResponse<String> off = gw().admin.post(SCENARIOS + name + "/disable", null);
                assertEquals(200, off.statusCode(), off::body);
              }
              return SCENARIOS + name + "/enable";
            },
            k -> null,
            enabledAfter(true)),
        new Call(
            "POST scenario acknowledge",
            "POST",
            "operator",
            200,
            k -> SCENARIOS + defineIfThrough(k, LOG) + "/acknowledge",
            k -> null,
            noEventsWhenRefused()),
        new Call(
            "POST scenario run",
            "POST",
            "operator",
            202,
            k -> SCENARIOS + defineIfThrough(k, LOG) + "/run",
            k -> "{\"data\":{\"why\":\"matrix\"}}",
            (k, path, allowed) -> {
              if (allowed) {
                Await.until(
                    GatewayFixture.READ_SIDE,
                    () -> {
                      JsonNode runs = Api.json(gw().admin.get("/api/v1/runs?scenario=" + k));
                      assertEquals(1, runs.path("items").size(), runs::toString);
                    });
              } else {
                assertEquals(0, scenarioEvents(k), "events of scenario " + k);
              }
            }),
        new Call("GET runs", "GET", "viewer", 200, k -> "/api/v1/runs", k -> null, NONE),
        new Call(
            "GET run",
            "GET",
            "viewer",
            200,
            k -> "/api/v1/runs/" + (throughCase(k) ? startRun(defineIfThrough(k, LOG)) : newId()),
            k -> null,
            NONE),
        new Call(
            "POST run cancel",
            "POST",
            "operator",
            200,
            k -> "/api/v1/runs/" + (throughCase(k) ? waitingRun(k) : newId()) + "/cancel",
            k -> "{\"reason\":\"" + k + "\"}",
            (k, path, allowed) -> {
              String runId = path.split("/")[4];
              if (allowed) {
                HttpResponse<String> read = gw().admin.get("/api/v1/runs/" + runId);
                assertEquals("CANCELLED", Api.json(read).path("status").asText(), read::body);
              } else {
                assertEquals(0, runEvents(runId), "events of run " + runId);
              }
            }),
        new Call(
            "POST events",
            "POST",
            "operator",
            202,
            k -> "/api/v1/events",
            k -> "{\"type\":\"MATRIX_" + k.replace('-', '_') + "\",\"source\":\"matrix\"}",
            NONE));
  }

  private static final String LOG =
      "{\"type\":\"log_event\",\"level\":\"info\",\"message\":\"hi\"}";

  /** Whether a matrix case with this key is one that gets through (see AuthMatrixTest's keys). */
  private static boolean throughCase(String key) {
    return key.endsWith("-right-role") || key.endsWith("-higher-role");
  }

  /** Defines scenario {@code key} (a manual one with {@code action}) when the case gets through. */
  private String defineIfThrough(String key, String action) {
    if (throughCase(key)) {
      HttpResponse<String> put = gw().admin.put(SCENARIOS + key, scenario(key, action));
      assertEquals(201, put.statusCode(), put::body);
    }
    return key;
  }

  private static String scenario(String name, String action) {
    return "{\"name\":\""
        + name
        + "\",\"trigger\":{\"type\":\"manual\"},\"actions\":["
        + action
        + "]}";
  }

  private String startRun(String scenario) {
    HttpResponse<String> run = gw().admin.post(SCENARIOS + scenario + "/run", null);
    assertEquals(202, run.statusCode(), run::body);
    String runId = Api.json(run).path("runId").asText();
    assertTrue(run.headers().firstValue("Location").orElse("").endsWith("/runs/" + runId));
    return runId;
  }

  /** A run that waits ten minutes for a component that stays STOPPED: there to be cancelled. */
  private String waitingRun(String key) {
    String component = key + "-c";
    gw().register(component, "{\"driver\":\"simulated\"}");
    String waits =
        "{\"type\":\"wait_for_state\",\"target\":\""
            + component
            + "\",\"state\":\"RUN\",\"timeout\":\"10m\"}";
    String runId = startRun(defineIfThrough(key, waits));
    Await.until(
        Duration.ofSeconds(30),
        () -> {
          JsonNode run = Api.json(gw().admin.get("/api/v1/runs/" + runId));
          assertEquals("RUNNING", run.path("status").asText(), run::toString);
          assertEquals(1, run.path("steps").size(), run::toString);
        });
    return runId;
  }

  private static String newId() {
    return UUID.randomUUID().toString();
  }

  private Effect enabledAfter(boolean enabled) {
    return (k, path, allowed) -> {
      if (allowed) {
        HttpResponse<String> read = gw().admin.get(SCENARIOS + k);
        assertEquals(enabled, Api.json(read).path("enabled").asBoolean(), read::body);
      } else {
        assertEquals(0, scenarioEvents(k), "events of scenario " + k);
      }
    };
  }

  private Effect noEventsWhenRefused() {
    return (k, path, allowed) -> {
      if (!allowed) {
        assertEquals(0, scenarioEvents(k), "events of scenario " + k);
      }
    };
  }

  private long scenarioEvents(String name) {
    return gw().queryLong(
            "SELECT count(*) FROM event_journal WHERE persistence_id = 'Scenario|" + name + "'");
  }

  private long runEvents(String runId) {
    return gw().queryLong(
            "SELECT count(*) FROM event_journal WHERE persistence_id = 'ScenarioRun|"
                + runId
                + "'");
  }
}
