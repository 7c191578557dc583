package dev.orchestrator.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.ChildNode;
import dev.orchestrator.node.testkit.TestNodes;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dev node keeps everything in ORCH_DATA_DIR: a component registered before a restart is there
 * after it, in the entity and in the list, and the embedded PostgreSQL makes each acknowledged
 * write durable.
 */
class DevNodeRestartTest {
  private static final Duration LIST_TIMEOUT = Duration.ofSeconds(30);
  private static final List<String> SPEC_FIELDS =
      List.of("id", "driver", "endpoint", "groups", "dependsOn", "pollInterval", "registeredAt");

  @TempDir Path dataDir;

  private Node node;

  @AfterEach
  void stopNode() throws Exception {
    if (node != null) {
      TestNodes.stop(node);
      node = null;
      // TestNodes.stop waits for Node.closed(): the embedded PostgreSQL must be gone already.
      assertDatabaseStopped();
    }
  }

  @Test
  void componentSurvivesARestartOnTheSameDataDir() throws Exception {
    node = TestNodes.start("dev", TestNodes.dev(dataDir));
    Api api = TestNodes.api(node);
    TestNodes.awaitReady(api);

    HttpResponse<String> put =
        api.put("/api/v1/components/restart-1", "{\"driver\":\"simulated\",\"groups\":[\"g1\"]}");
    assertEquals(200, put.statusCode(), put.body());
    HttpResponse<String> got = api.get("/api/v1/components/restart-1");
    assertEquals(200, got.statusCode(), got.body());
    JsonNode before = Api.json(got);
    assertEquals("restart-1", before.get("id").asText());
    assertEquals("simulated", before.get("driver").asText());
    assertTrue(before.hasNonNull("registeredAt"), got.body());
    awaitListed(api, "restart-1");

    TestNodes.stop(node);
    node = null;

    node = startAgain();
    Api restarted = TestNodes.api(node);
    TestNodes.awaitReady(restarted);

    HttpResponse<String> again = restarted.get("/api/v1/components/restart-1");
    assertEquals(200, again.statusCode(), again.body());
    JsonNode after = Api.json(again);
    for (String field : SPEC_FIELDS) {
      assertEquals(before.get(field), after.get(field), field + " after the restart");
    }
    awaitListed(restarted, "restart-1");
    assertEquals(404, restarted.get("/api/v1/components/never-registered").statusCode());
  }

  @Test
  void embeddedPostgresMakesCommitsDurable() throws Exception {
    node = TestNodes.start("dev", TestNodes.dev(dataDir));
    try (Connection c = node.services().database().dataSource().getConnection();
        Statement s = c.createStatement()) {
      assertEquals("on", show(s, "fsync"));
      assertEquals("on", show(s, "synchronous_commit"));
      assertEquals("on", show(s, "full_page_writes"));
      Path actualDataDir = Path.of(show(s, "data_directory")).toRealPath();
      assertEquals(dataDir.resolve("postgres").toRealPath(), actualDataDir);
    }
  }

  private static String show(Statement s, String setting) throws Exception {
    try (ResultSet rs = s.executeQuery("SHOW " + setting)) {
      assertTrue(rs.next());
      return rs.getString(1);
    }
  }

  /** The list is the read side (a projection): it catches up eventually. */
  private static void awaitListed(Api api, String id) {
    Await.until(
        LIST_TIMEOUT,
        () -> {
          HttpResponse<String> list = api.get("/api/v1/components");
          assertEquals(200, list.statusCode(), list.body());
          List<String> ids =
              StreamSupport.stream(Api.json(list).get("items").spliterator(), false)
                  .map(item -> item.get("id").asText())
                  .toList();
          assertTrue(ids.contains(id), () -> id + " not in " + ids);
        });
  }

  /** Starts the second node; the first one's PostgreSQL must be gone by now. */
  private Node startAgain() throws Exception {
    assertDatabaseStopped();
    return TestNodes.start("dev", TestNodes.dev(dataDir));
  }

  /** Neither the postmaster nor pg_ctl (stopping it) runs on this data directory any more. */
  private void assertDatabaseStopped() {
    List<String> running = ChildNode.postgresOf(dataDir).stream().map(ChildNode::describe).toList();
    assertTrue(running.isEmpty(), () -> "PostgreSQL still running: " + running);
    assertFalse(Files.exists(dataDir.resolve("postgres").resolve("postmaster.pid")));
  }
}
