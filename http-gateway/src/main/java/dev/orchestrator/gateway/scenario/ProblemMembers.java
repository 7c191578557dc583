package dev.orchestrator.gateway.scenario;

import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orchestrator.gateway.Json;
import dev.orchestrator.gateway.Problem;
import java.util.Map;

/**
 * A problem+json answer with extension members (RFC 9457 section 3.2) next to the standard ones,
 * such as the {@code problems} of a scenario that does not validate or the {@code code} of a
 * refused run.
 */
final class ProblemMembers {
  private ProblemMembers() {}

  static HttpResponse response(Json json, Problem problem, Map<String, ?> members) {
    ObjectNode body = json.mapper().valueToTree(problem);
    members.forEach((name, value) -> body.set(name, json.mapper().valueToTree(value)));
    try {
      return HttpResponse.create()
          .withStatus(StatusCodes.get(problem.status()))
          .withEntity(
              HttpEntities.create(Json.PROBLEM_JSON, json.mapper().writeValueAsBytes(body)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
