package dev.orchestrator.bench.failover;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.bench.commands.Api;
import dev.orchestrator.bench.commands.Parallel;
import dev.orchestrator.bench.commands.RawHttp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * After the rounds: every acknowledged command read from its entity (GET /api/v1/commands/{id})
 * until it has ended. Lost = acknowledged but unknown (404) or ended other than SUCCEEDED;
 * duplicate = more than one attempt (it ran again after its node died).
 */
final class Verify {
  private static final Set<String> ENDED =
      Set.of("SUCCEEDED", "FAILED", "CANCELLED", "TIMED_OUT", "NOT_FOUND");

  int acknowledged;
  int succeeded;
  int unknown;
  int endedOtherwise;
  int duplicates;
  int unfinished;
  final List<String> examples = new ArrayList<>();

  static Verify of(List<String> ids, String host, int port, String token) throws Exception {
    Verify v = new Verify();
    v.acknowledged = ids.size();
    String[] status = new String[ids.size()];
    int[] attempts = new int[ids.size()];
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    List<Integer> open = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      open.add(i);
    }
    while (!open.isEmpty() && System.nanoTime() < deadline) {
      List<Integer> asking = open;
      Parallel.run(
          host,
          port,
          token,
          asking.size(),
          4,
          (api, k) -> {
            int i = asking.get(k);
            RawHttp.Response r = api.get("/api/v1/commands/" + ids.get(i));
            if (r.status() == 404) {
              status[i] = "UNKNOWN";
            } else if (r.status() == 200) {
              JsonNode c = Api.parse(r.body());
              status[i] = c.path("status").asText();
              attempts[i] = c.path("attempts").asInt();
            }
            return r.status();
          },
          null);
      open = new ArrayList<>();
      for (int i : asking) {
        if (status[i] == null || !(ENDED.contains(status[i]) || status[i].equals("UNKNOWN"))) {
          open.add(i);
        }
      }
      if (!open.isEmpty()) {
        Thread.sleep(1000);
      }
    }
    for (int i = 0; i < ids.size(); i++) {
      String s = status[i];
      if ("SUCCEEDED".equals(s)) {
        v.succeeded++;
      } else if ("UNKNOWN".equals(s)) {
        v.unknown++;
        v.example(ids.get(i) + " unknown (404)");
      } else if (s != null && ENDED.contains(s)) {
        v.endedOtherwise++;
        v.example(ids.get(i) + " " + s);
      } else {
        v.unfinished++;
        v.example(ids.get(i) + " still " + s);
      }
      if (attempts[i] > 1) {
        v.duplicates++;
      }
    }
    return v;
  }

  int lost() {
    return unknown + endedOtherwise + unfinished;
  }

  private void example(String text) {
    if (examples.size() < 10) {
      examples.add(text);
    }
  }
}
