package dev.orchestrator.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.Ports;
import dev.orchestrator.node.testkit.TestNodes;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An event that reaches a new orchestrator singleton before it has read which scenarios exist
 * (after a failover or a restart) waits for that read; it is not answered "nothing matched" and
 * dropped. The test holds the first read back with a lock on the {@code scenarios} table.
 */
class EventBeforeCatalogTest {
  private static final Duration DEADLINE = Duration.ofSeconds(120);
  private static final String DATABASE = "orch_event_before_catalog";

  @TempDir Path temp;
  private EmbeddedPostgres postgres;
  private Node node;

  @AfterEach
  void stopEverything() throws Exception {
    try {
      if (node != null) {
        TestNodes.stop(node);
      }
    } finally {
      if (postgres != null) {
        postgres.close();
      }
    }
  }

  private Connection connect(String database) throws Exception {
    return DriverManager.getConnection(
        "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database, "postgres", "");
  }

  private Node start(String name) throws Exception {
    int nodePort = Ports.free();
    Map<String, Object> settings = new HashMap<>();
    settings.put("orchestrator.mode", "cluster");
    settings.put(
        "orchestrator.db.url",
        "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + DATABASE);
    settings.put("orchestrator.db.user", "postgres");
    settings.put("orchestrator.db.password", "");
    settings.put("orchestrator.node.port", nodePort);
    settings.put("orchestrator.http.port", Ports.free());
    settings.put("orchestrator.node.seed-nodes", "127.0.0.1:" + nodePort);
    settings.put("orchestrator.admin-token", TestNodes.ADMIN_TOKEN);
    settings.put("orchestrator.data-dir", temp.resolve(name).toString());
    return TestNodes.start("cluster", settings);
  }

  private boolean catalogReadWaitsOnTheLock(Connection watcher) throws Exception {
    try (Statement s = watcher.createStatement();
        ResultSet rows =
            s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                    + " AND query LIKE 'SELECT name, definition::text FROM scenarios%'")) {
      rows.next();
      return rows.getInt(1) > 0;
    }
  }

  @Test
  void anEventSentBeforeTheFirstCatalogReadStartsItsScenario() throws Exception {
    postgres = EmbeddedPostgres.builder().start();
    try (Connection c = connect("postgres");
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + DATABASE);
    }

    node = start("first");
    Api api = TestNodes.api(node);
    TestNodes.awaitReady(api);
    HttpResponse<String> put =
        api.send(
            "PUT",
            "/api/v1/scenarios/on-early",
            "name: on-early\ntrigger: { type: event, event: { type: EARLY } }\n"
                + "actions:\n  - { type: log_event, message: early }\n",
            "application/yaml");
    assertEquals(201, put.statusCode(), put::body);
    try (Connection c = connect(DATABASE)) {
      Await.until(
          DEADLINE,
          () -> {
            try (Statement s = c.createStatement();
                ResultSet rows =
                    s.executeQuery(
                        "SELECT count(*) FROM scenarios WHERE name = 'on-early' AND enabled")) {
              rows.next();
              assertEquals(1, rows.getInt(1), "the scenario on the read side");
            }
          });
    }
    TestNodes.stop(node);
    node = null;

    try (Connection lock = connect(DATABASE);
        Connection watcher = connect(DATABASE)) {
      lock.setAutoCommit(false);
      try (Statement s = lock.createStatement()) {
        s.execute("LOCK TABLE scenarios IN ACCESS EXCLUSIVE MODE");
      }
      node = start("second");
      Api restarted = TestNodes.api(node);
      Await.until(
          DEADLINE,
          () -> assertTrue(catalogReadWaitsOnTheLock(watcher), "the singleton reads its catalog"));

      CompletableFuture<HttpResponse<String>> answer =
          HttpClient.newHttpClient()
              .sendAsync(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:" + TestNodes.httpPort(node) + "/api/v1/events"))
                      .header("Authorization", "Bearer " + TestNodes.ADMIN_TOKEN)
                      .header("Content-Type", "application/json")
                      .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"EARLY\"}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      try {
        HttpResponse<String> early = answer.get(2, TimeUnit.SECONDS);
        throw new AssertionError(
            "answered before the singleton knew its scenarios: "
                + early.statusCode()
                + " "
                + early.body());
      } catch (TimeoutException stillWaiting) {
        // The event waits for the catalog, as it should.
      }
      lock.commit();

      HttpResponse<String> sent = answer.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      assertEquals(202, sent.statusCode(), sent::body);
      JsonNode matched = Api.json(sent).path("matched");
      assertEquals("[\"on-early\"]", matched.toString(), sent::body);
      Await.until(
          DEADLINE,
          () -> {
            JsonNode runs = Api.json(restarted.get("/api/v1/runs?scenario=on-early"));
            assertEquals(1, runs.path("items").size(), runs::toString);
            JsonNode run =
                Api.json(
                    restarted.get("/api/v1/runs/" + runs.path("items").get(0).path("id").asText()));
            assertEquals("EARLY", run.path("trigger").path("event").asText(), run::toString);
          });
    }
  }
}
