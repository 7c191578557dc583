package dev.orchestrator.bench.commands;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.time.Instant;

/**
 * One HTTP client of the bench (one keep-alive connection, {@link RawHttp}: ~30 us of CPU per
 * request, so the load generator takes little from the 2 cores it shares with the node). Not
 * thread-safe: one per thread.
 */
public final class Api implements Closeable {
  public static final ObjectMapper JSON = new ObjectMapper();

  private final RawHttp http;
  private final String token;

  public Api(int port, String token) {
    this("127.0.0.1", port, token);
  }

  public Api(String host, int port, String token) {
    this.http = new RawHttp(host, port, 30_000);
    this.token = token;
  }

  public RawHttp.Response put(String path, String json) throws IOException {
    return http.request("PUT", path, token, json);
  }

  public RawHttp.Response post(String path, String json) throws IOException {
    return http.request("POST", path, token, json);
  }

  public RawHttp.Response get(String path) throws IOException {
    return http.request("GET", path, token, null);
  }

  public RawHttp.Response delete(String path) throws IOException {
    return http.request("DELETE", path, token, null);
  }

  /** GET that must answer 200, parsed. */
  public JsonNode getJson(String path) throws IOException {
    RawHttp.Response r = get(path);
    if (r.status() != 200) {
      throw new IOException("GET " + path + " -> " + r.status() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  public static JsonNode parse(String body) throws IOException {
    return JSON.readTree(body);
  }

  /** An Instant written as ISO-8601 text or as epoch seconds (with a fraction); null if absent. */
  public static Instant instant(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return null;
    }
    if (n.isNumber()) {
      double s = n.asDouble();
      long sec = (long) Math.floor(s);
      return Instant.ofEpochSecond(sec, Math.round((s - sec) * 1e9));
    }
    return Instant.parse(n.asText());
  }

  public static String componentBody(String group, String pollInterval, String dependsOn) {
    return "{\"driver\":\"simulated\",\"groups\":[\"" + group + "\"]"
        + (pollInterval == null ? "" : ",\"pollInterval\":\"" + pollInterval + "\"")
        + (dependsOn == null ? "" : ",\"dependsOn\":[\"" + dependsOn + "\"]")
        + "}";
  }

  @Override
  public void close() {
    http.close();
  }
}
