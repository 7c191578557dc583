package dev.orchestrator.gateway;

import static dev.orchestrator.gateway.GatewayFixture.READ_SIDE;
import static dev.orchestrator.gateway.GatewayFixture.assertProblem;
import static dev.orchestrator.gateway.GatewayFixture.ids;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The happy path of {@code /api/v1/components}: register, read, update, list, deregister. */
class ComponentApiTest {
  private static GatewayFixture gw;
  private static Api api;

  @BeforeAll
  static void startNode() throws Exception {
    gw = GatewayFixture.start("components");
    api = gw.admin;
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (gw != null) {
      gw.stop();
    }
  }

  private static JsonNode ok(HttpResponse<String> response) {
    assertEquals(200, response.statusCode(), response::body);
    assertTrue(
        response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        response.headers().toString());
    return Api.json(response);
  }

  private static List<String> texts(JsonNode array) {
    List<String> texts = new ArrayList<>();
    array.forEach(n -> texts.add(n.asText()));
    return texts;
  }

  @Test
  void registerReadUpdateAndDeregister() {
    String path = "/api/v1/components/pump-1";

    // Register: the answer echoes the spec, the lifecycle has not started.
    JsonNode registered =
        ok(
            api.put(
                path,
                "{\"driver\":\"simulated\",\"groups\":[\"line-a\",\"pumps\"],"
                    + "\"dependsOn\":[\"valve-1\"],\"pollInterval\":\"2s\"}"));
    assertEquals("pump-1", registered.path("id").asText());
    assertEquals("simulated", registered.path("driver").asText());
    assertTrue(registered.path("endpoint").isNull() || registered.path("endpoint").isMissingNode());
    assertEquals(List.of("line-a", "pumps"), texts(registered.path("groups")));
    assertEquals(List.of("valve-1"), texts(registered.path("dependsOn")));
    assertEquals("2s", registered.path("pollInterval").asText());
    assertEquals("UNKNOWN", registered.path("state").asText());
    assertFalse(registered.path("registeredAt").asText().isBlank(), registered::toString);
    assertEquals(1, gw.definitionRows("pump-1"));

    // Read it back.
    JsonNode read = ok(api.get(path));
    assertEquals("pump-1", read.path("id").asText());
    assertEquals("simulated", read.path("driver").asText());
    assertEquals(List.of("line-a", "pumps"), texts(read.path("groups")));
    assertEquals("2s", read.path("pollInterval").asText());
    // The simulated component announces its first state (STOPPED) after one transition time.
    assertTrue(List.of("UNKNOWN", "STOPPED").contains(read.path("state").asText()), read::toString);

    // The same spec again is accepted and persists nothing new.
    ok(
        api.put(
            path,
            "{\"driver\":\"simulated\",\"groups\":[\"line-a\",\"pumps\"],"
                + "\"dependsOn\":[\"valve-1\"],\"pollInterval\":\"2s\"}"));
    assertEquals(1, gw.definitionRows("pump-1"));

    // A changed spec replaces the old one.
    JsonNode updated =
        ok(
            api.put(
                path,
                "{\"driver\":\"http\",\"endpoint\":\"http://10.0.0.5:8001\","
                    + "\"groups\":[\"line-b\"]}"));
    assertEquals("http", updated.path("driver").asText());
    assertEquals("http://10.0.0.5:8001", updated.path("endpoint").asText());
    assertEquals(List.of("line-b"), texts(updated.path("groups")));
    assertEquals(List.of(), texts(updated.path("dependsOn")));
    assertEquals("1s", updated.path("pollInterval").asText(), "the default poll interval");
    // The observed state is kept: the simulated component may have come up (STOPPED) already.
    assertTrue(
        List.of("UNKNOWN", "STOPPED").contains(updated.path("state").asText()), updated::toString);
    assertEquals(
        registered.path("registeredAt").asText(),
        updated.path("registeredAt").asText(),
        "an update keeps the registration time");
    assertEquals(2, gw.definitionRows("pump-1"));
    JsonNode reread = ok(api.get(path));
    assertEquals("http", reread.path("driver").asText());
    assertEquals("http://10.0.0.5:8001", reread.path("endpoint").asText());
    assertEquals(List.of("line-b"), texts(reread.path("groups")));

    // The read side follows the update: it moved from line-a to line-b.
    Await.until(
        READ_SIDE,
        () -> {
          assertTrue(ids(ok(api.get("/api/v1/components?group=line-b"))).contains("pump-1"));
          assertFalse(ids(ok(api.get("/api/v1/components?group=line-a"))).contains("pump-1"));
        });
    JsonNode listed = ok(api.get("/api/v1/components?group=line-b")).path("items").get(0);
    assertEquals("http", listed.path("driver").asText());
    assertEquals("http://10.0.0.5:8001", listed.path("endpoint").asText());
    assertTrue(
        List.of("UNKNOWN", "STOPPED").contains(listed.path("state").asText()), listed::toString);

    // Deregister: gone from the entity at once, from the list once the read side caught up.
    HttpResponse<String> deleted = api.delete(path);
    assertEquals(204, deleted.statusCode(), deleted::body);
    assertTrue(deleted.body().isEmpty(), deleted::body);
    assertProblem(api.get(path), 404, "not-found");
    assertProblem(api.delete(path), 404, "not-found");
    Await.until(
        READ_SIDE, () -> assertFalse(ids(ok(api.get("/api/v1/components"))).contains("pump-1")));
    assertEquals(3, gw.definitionRows("pump-1"));

    // It can be registered again afresh.
    JsonNode again = ok(api.put(path, "{\"driver\":\"simulated\"}"));
    assertEquals("simulated", again.path("driver").asText());
    assertEquals(List.of(), texts(again.path("groups")));
    Await.until(
        READ_SIDE, () -> assertTrue(ids(ok(api.get("/api/v1/components"))).contains("pump-1")));
  }

  @Test
  void listFiltersByGroupAndStateAndPages() {
    List<String> paged = List.of("page-a", "page-b", "page-c", "page-d", "page-e");
    // Registered out of order: the list is ordered by id, not by registration.
    for (String id : List.of("page-c", "page-a", "page-e", "page-b", "page-d")) {
      gw.register(id, "{\"driver\":\"simulated\",\"groups\":[\"paging\"]}");
    }
    gw.register("other-1", "{\"driver\":\"simulated\",\"groups\":[\"other\"]}");
    gw.register("other-2", "{\"driver\":\"simulated\"}");

    Await.until(
        READ_SIDE,
        () -> {
          JsonNode page = ok(api.get("/api/v1/components?group=paging"));
          assertEquals(paged, ids(page));
          assertTrue(page.path("next").isNull() || page.path("next").isMissingNode());
          assertTrue(
              ids(ok(api.get("/api/v1/components")))
                  .containsAll(List.of("page-a", "page-e", "other-1", "other-2")));
        });

    assertEquals(List.of("other-1"), ids(ok(api.get("/api/v1/components?group=other"))));
    assertEquals(List.of(), ids(ok(api.get("/api/v1/components?group=nobody"))));

    // Simulated components start UNKNOWN and come up STOPPED; the read side follows.
    Await.until(
        READ_SIDE,
        () -> {
          List<String> stopped = ids(ok(api.get("/api/v1/components?state=STOPPED&limit=1000")));
          assertTrue(stopped.containsAll(paged), stopped::toString);
          assertTrue(stopped.containsAll(List.of("other-1", "other-2")), stopped::toString);
          assertEquals(paged, ids(ok(api.get("/api/v1/components?group=paging&state=STOPPED"))));
        });
    assertEquals(List.of(), ids(ok(api.get("/api/v1/components?state=RUN"))));
    assertEquals(List.of(), ids(ok(api.get("/api/v1/components?group=paging&state=UNKNOWN"))));
    assertEquals(List.of(), ids(ok(api.get("/api/v1/components?group=paging&state=FAULT"))));

    // Pages of two, following next → after until there is no next.
    List<String> seen = new ArrayList<>();
    List<List<String>> pages = new ArrayList<>();
    String after = null;
    for (int i = 0; i < 10; i++) {
      JsonNode page =
          ok(
              api.get(
                  "/api/v1/components?group=paging&limit=2"
                      + (after == null ? "" : "&after=" + after)));
      List<String> ids = ids(page);
      pages.add(ids);
      seen.addAll(ids);
      JsonNode next = page.path("next");
      if (next.isNull() || next.isMissingNode()) {
        break;
      }
      assertEquals(ids.get(ids.size() - 1), next.asText(), "next is the last id of the page");
      after = next.asText();
    }
    assertEquals(
        List.of(List.of("page-a", "page-b"), List.of("page-c", "page-d"), List.of("page-e")),
        pages);
    assertEquals(paged, seen);

    // after alone (no limit) starts past the given id.
    assertEquals(
        List.of("page-d", "page-e"),
        ids(ok(api.get("/api/v1/components?group=paging&after=page-c"))));

    // A deregistered component leaves the filtered list.
    assertEquals(204, api.delete("/api/v1/components/page-c").statusCode());
    Await.until(
        READ_SIDE,
        () ->
            assertEquals(
                List.of("page-a", "page-b", "page-d", "page-e"),
                ids(ok(api.get("/api/v1/components?group=paging")))));
  }

  @Test
  void aViewerReadsWhatAnAdminRegistered() {
    gw.register("viewed-1", "{\"driver\":\"simulated\",\"groups\":[\"viewed\"]}");
    Api asViewer = api.as(gw.issue("component-viewer", "viewer").token());
    JsonNode read = ok(asViewer.get("/api/v1/components/viewed-1"));
    assertEquals("viewed-1", read.path("id").asText());
    Await.until(
        READ_SIDE,
        () ->
            assertEquals(
                List.of("viewed-1"), ids(ok(asViewer.get("/api/v1/components?group=viewed")))));
  }
}
