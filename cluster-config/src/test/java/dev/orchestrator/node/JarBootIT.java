package dev.orchestrator.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.node.testkit.Api;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.ChildNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fat jar boots as a user would run it ({@code java -jar target/orchestrator.jar}, nothing set
 * but a data directory): it becomes ready, shows the admin token it generated once and keeps it in
 * {@code admin.token}, readable by its owner only, and stops gracefully on SIGTERM.
 */
class JarBootIT {
  private static final Path JAR = Path.of("target", "orchestrator.jar");
  private static final Pattern TOKEN_LINE = Pattern.compile("Admin token[^\\n]*\\n\\s+(\\S+)");
  private static final Pattern POOL_LINE = Pattern.compile("common pool \\((\\d+) threads\\)");

  @TempDir Path dataDir;

  private ChildNode node;

  @AfterEach
  void killLeftover() {
    if (node != null) {
      node.close();
    }
  }

  private static final Duration DEMO = Duration.ofSeconds(120);

  @Test
  void fatJarBootsWithAGeneratedAdminToken() throws Exception {
    assertTrue(Files.isRegularFile(JAR), JAR.toAbsolutePath() + " missing: run mvn package first");

    node =
        ChildNode.start(
            "jar-boot",
            // As on a 2-core machine, where the JDK would give the common pool one thread.
            List.of("-XX:ActiveProcessorCount=2", "-jar", JAR.toAbsolutePath().toString()),
            dataDir,
            Map.of());
    Duration timeToReady = node.awaitReady();
    System.out.println(
        "JarBootIT: time from process start to ready: " + timeToReady.toMillis() + " ms");

    Path tokenFile = dataDir.resolve("admin.token");
    assertTrue(Files.isRegularFile(tokenFile), "admin.token missing");
    assertEquals(
        PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(tokenFile));
    String token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
    assertTrue(token.length() >= 16, "token too short: " + token.length());

    String stdout = node.stdout();
    assertEquals(1, occurrences(stdout, token), "the token is shown exactly once on stdout");
    assertEquals(0, occurrences(node.stderr(), token), "the token is not on stderr");
    Matcher shown = TOKEN_LINE.matcher(stdout);
    assertTrue(shown.find(), "no token line on stdout");
    assertEquals(token, shown.group(1), "the token shown is the one kept in admin.token");

    Matcher pool = POOL_LINE.matcher(stdout);
    assertTrue(pool.find(), "no common pool line on stdout");
    assertTrue(
        Integer.parseInt(pool.group(1)) >= 2,
        "with fewer than 2 threads CompletableFuture starts a thread per callback: "
            + pool.group());

    Api api = node.api(token);
    HttpResponse<String> cluster = api.get("/api/v1/cluster");
    assertEquals(200, cluster.statusCode(), cluster.body());
    assertEquals(1, Api.json(cluster).get("members").size(), cluster.body());
    assertEquals(401, api.as(token + "x").get("/api/v1/cluster").statusCode());
    assertEquals(401, api.as("wrong-token-0123456789").get("/api/v1/cluster").statusCode());
    assertEquals(401, api.as(null).get("/api/v1/cluster").statusCode());

    // A first start loads the demo set: its automatic scenario starts the plant by itself.
    Await.until(
        DEMO,
        () -> {
          JsonNode runs = Api.json(api.get("/api/v1/runs?scenario=plant_startup"));
          assertEquals(1, runs.path("items").size(), runs::toString);
          assertEquals(
              "SUCCEEDED", runs.path("items").get(0).path("status").asText(), runs::toString);
        });
    for (String id : List.of("ups", "db", "cache", "api", "web")) {
      Await.until(
          DEMO,
          () -> {
            JsonNode c = Api.json(api.get("/api/v1/components/" + id));
            assertEquals("RUN", c.path("state").asText(), c::toString);
          });
    }
    JsonNode blocked = Api.json(api.get("/api/v1/scenarios/plant_startup"));
    assertTrue(blocked.path("blocked").asBoolean(), "max_executions 1 blocks it: " + blocked);

    int exit = node.stop();
    assertEquals(0, exit, "SIGTERM runs the graceful shutdown, which exits with 0");
  }

  private static int occurrences(String text, String part) {
    int count = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      count++;
    }
    return count;
  }
}
