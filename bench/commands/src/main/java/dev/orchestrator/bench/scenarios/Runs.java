package dev.orchestrator.bench.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.bench.commands.Api;
import dev.orchestrator.bench.commands.Parallel;
import dev.orchestrator.bench.commands.RawHttp;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** The API calls the phases share: components, scenario definitions, run lists and reports. */
final class Runs {
  private Runs() {}

  /** PUT /api/v1/scenarios/{name} with a JSON definition; 200 or 201, else a failure. */
  static void define(Api api, String name, String json) throws IOException {
    RawHttp.Response r = api.put("/api/v1/scenarios/" + name, json);
    if (r.status() != 200 && r.status() != 201) {
      throw new IllegalStateException("PUT scenario " + name + " -> " + r.status() + " " + r.body());
    }
  }

  /**
   * Registers simulated components {@code ids} in {@code group}, then waits until each is STOPPED
   * (its first poll) and the read side lists the group (send_command and wait_for_state resolve
   * targets there).
   */
  static void register(Context c, List<String> ids, String group, String pollInterval)
      throws Exception {
    String body = Api.componentBody(group, pollInterval, null);
    int[] codes =
        Parallel.run(
            c.port(), c.token(), ids.size(), c.options().clients(),
            (api, i) -> api.put("/api/v1/components/" + ids.get(i), body).status(), null);
    if (Parallel.countNot(codes, 200) > 0) {
      throw new IllegalStateException(Parallel.countNot(codes, 200) + " components were not registered");
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    try (Api api = c.api()) {
      for (String id : ids) {
        while (!"STOPPED".equals(api.getJson("/api/v1/components/" + id).path("state").asText())) {
          pause(deadline, id + " is not STOPPED after 60 s");
        }
      }
      while (api.getJson("/api/v1/components?group=" + group + "&limit=1000").path("items").size()
          < Math.min(ids.size(), 1000)) {
        pause(deadline, "the read side does not list the " + ids.size() + " components of " + group);
      }
    }
  }

  /**
   * The read side's summaries of the runs {@code ids} of {@code scenario} (optionally only those in
   * {@code status}), newest first page by page until all are found or the pages end.
   */
  static Map<String, JsonNode> summaries(Api api, String scenario, Set<String> ids, String status)
      throws IOException {
    Map<String, JsonNode> found = new HashMap<>();
    String after = null;
    do {
      JsonNode page =
          api.getJson("/api/v1/runs?scenario=" + scenario + "&limit=1000"
              + (status == null ? "" : "&status=" + status)
              + (after == null ? "" : "&after=" + after));
      for (JsonNode run : page.path("items")) {
        String id = run.path("id").asText();
        if (ids == null || ids.contains(id)) {
          found.put(id, run);
        }
      }
      after = page.path("next").isTextual() ? page.path("next").asText() : null;
    } while (after != null && (ids == null || found.size() < ids.size()));
    return found;
  }

  /** Polls the run list every {@code everyMs} until every run of {@code ids} has ended. */
  static Map<String, JsonNode> awaitEnded(
      Api api, String scenario, Set<String> ids, int seconds, long everyMs) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (true) {
      Map<String, JsonNode> seen = summaries(api, scenario, ids, null);
      long ended = seen.values().stream().filter(r -> !"RUNNING".equals(r.path("status").asText())).count();
      if (ended == ids.size()) {
        return seen;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "after " + seconds + " s the read side shows " + seen.size() + " of " + ids.size()
                + " runs of " + scenario + ", " + ended + " ended");
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(everyMs));
    }
  }

  /** GET /api/v1/runs/{id} for each id (from the entities), from the bench's clients. */
  static JsonNode[] reports(Context c, List<String> ids) throws Exception {
    JsonNode[] out = new JsonNode[ids.size()];
    int[] codes =
        Parallel.run(
            c.port(), c.token(), ids.size(), c.options().clients(),
            (api, i) -> {
              RawHttp.Response r = api.get("/api/v1/runs/" + ids.get(i));
              if (r.status() == 200) {
                out[i] = Api.parse(r.body());
              }
              return r.status();
            },
            null);
    int bad = Parallel.countNot(codes, 200);
    if (bad > 0) {
      System.out.println("    (" + bad + " run reports could not be read)");
    }
    return out;
  }

  /** Milliseconds from {@code a} to {@code b}; NaN when either is unknown. */
  static double ms(Instant a, Instant b) {
    return a == null || b == null ? Double.NaN : Duration.between(a, b).toNanos() / 1e6;
  }

  /** The values that are not NaN. */
  static double[] finite(double[] v) {
    return java.util.Arrays.stream(v).filter(d -> !Double.isNaN(d)).toArray();
  }

  static void pause(long deadline, String failure) {
    if (System.nanoTime() > deadline) {
      throw new IllegalStateException(failure);
    }
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
  }
}
