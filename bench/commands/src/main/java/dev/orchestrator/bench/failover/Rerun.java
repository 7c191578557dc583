package dev.orchestrator.bench.failover;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.bench.commands.Api;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Commands that run while their node is killed (issue 3: "crash of the executing node → the command
 * running again elsewhere"). Before a round's kill, {@code count} {@code sleep} commands of 10
 * minutes are submitted, one to each node in turn, and awaited until each has started its first
 * attempt (its {@code AttemptStarted} in the journal names the node that runs it). After the
 * round, for those whose first attempt ran on the killed node: the time from the kill to their
 * second attempt's {@code AttemptStarted} ({@code event_journal.write_timestamp}, the node's clock;
 * same machine). Then every one of them is cancelled, so nothing of it outlives the round.
 */
final class Rerun {
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  private static final String ATTEMPT_STARTED =
      "SELECT persistence_id, write_timestamp, convert_from(event_payload, 'UTF8')"
          + " FROM event_journal WHERE persistence_id = ANY (?)"
          + " AND event_ser_manifest LIKE '%AttemptStarted' ORDER BY sequence_number";

  /** One command: its id, the node index of each attempt's start and when it was written. */
  record Attempt(int number, int node, long writtenEpochMs) {}

  private final LocalCluster cluster;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(1))
          .build();
  final List<String> ids = new ArrayList<>();

  private Rerun(LocalCluster cluster) {
    this.cluster = cluster;
  }

  /** Submits {@code count} long commands and waits until each runs its first attempt. */
  static Rerun start(LocalCluster cluster, String tag, int round, int count, long timeoutMs)
      throws IOException, InterruptedException, SQLException {
    Rerun r = new Rerun(cluster);
    for (int i = 0; i < count; i++) {
      String body =
          "{\"name\":\"sleep\",\"input\":{\"millis\":600000},\"retries\":3,\"idempotencyKey\":"
              + "\"rerun-"
              + tag
              + "-"
              + round
              + "-"
              + i
              + "\"}";
      JsonNode accepted = r.post(i % cluster.size(), "/api/v1/commands", body, 202);
      r.ids.add(accepted.path("id").asText());
    }
    long deadline = System.currentTimeMillis() + timeoutMs;
    try (Connection c = r.connect()) {
      if (!Poll.until(
          () -> r.attempts(c).values().stream().filter(a -> !a.isEmpty()).count() >= count,
          50,
          deadline)) {
        throw new IOException(
            "the commands to be killed did not all start within " + timeoutMs + " ms");
      }
    }
    return r;
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection(cluster.jdbcUrl(), "postgres", "");
  }

  /** Each command's attempts so far, from the journal. */
  Map<String, List<Attempt>> attempts(Connection c) throws SQLException {
    Map<String, List<Attempt>> byId = new HashMap<>();
    ids.forEach(id -> byId.put(id, new ArrayList<>()));
    try (PreparedStatement s = c.prepareStatement(ATTEMPT_STARTED)) {
      s.setArray(
          1,
          c.createArrayOf("text", ids.stream().map(id -> "Command|" + id).toArray(String[]::new)));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          String id = rs.getString(1).substring("Command|".length());
          JsonNode event = Api.parse(rs.getString(3));
          byId.get(id)
              .add(
                  new Attempt(
                      event.path("attempt").asInt(),
                      cluster.indexOf(event.path("node").asText()),
                      rs.getLong(2)));
        }
      } catch (IOException e) {
        throw new SQLException("an AttemptStarted event is not JSON: " + e.getMessage(), e);
      }
    }
    return byId;
  }

  /**
   * Kill (epoch ms) → second attempt started, in ms, of each command whose first attempt ran on
   * {@code victim}; waits up to {@code timeoutMs} for them. -1 for one that did not run again.
   */
  List<Long> rerunAfterKill(int victim, long killEpochMs, long timeoutMs)
      throws SQLException, InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    try (Connection c = connect()) {
      return rerunAfterKill(c, victim, killEpochMs, deadline);
    }
  }

  private List<Long> rerunAfterKill(Connection c, int victim, long killEpochMs, long deadline)
      throws SQLException, InterruptedException {
    Poll.until(() -> !delays(c, victim, killEpochMs).contains(-1L), 100, deadline);
    return delays(c, victim, killEpochMs);
  }

  /** Kill → second attempt, per command first run on {@code victim}; -1 while it has none. */
  private List<Long> delays(Connection c, int victim, long killEpochMs) throws SQLException {
    List<Long> delays = new ArrayList<>();
    for (List<Attempt> attempts : attempts(c).values()) {
      if (attempts.isEmpty() || attempts.get(0).node() != victim) {
        continue;
      }
      Attempt second = attempts.stream().filter(a -> a.number() == 2).findFirst().orElse(null);
      delays.add(second == null ? -1L : second.writtenEpochMs() - killEpochMs);
    }
    return delays;
  }

  /** Cancels every command of this round (on any live node). */
  void cancelAll() throws InterruptedException {
    for (String id : ids) {
      for (int i = 0; i < cluster.size(); i++) {
        if (!cluster.alive(i)) {
          continue;
        }
        try {
          post(i, "/api/v1/commands/" + id + "/cancel", "{}", -1);
          break;
        } catch (IOException e) {
          // the next node
        }
      }
    }
  }

  private JsonNode post(int node, String path, String body, int expected)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(
                URI.create("http://" + cluster.host(node) + ":" + cluster.httpPort(node) + path))
            .timeout(REQUEST_TIMEOUT)
            .header("Authorization", "Bearer " + cluster.token())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (expected > 0 && response.statusCode() != expected) {
      throw new IOException(
          "POST " + path + " answered " + response.statusCode() + ": " + response.body());
    }
    return Api.parse(response.body());
  }
}
