package dev.orchestrator.gateway.audit;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import dev.orchestrator.gateway.ApiRoutes;
import dev.orchestrator.gateway.ErrorMapping;
import dev.orchestrator.gateway.Json;
import dev.orchestrator.gateway.auth.Caller;
import dev.orchestrator.gateway.auth.Role;
import java.util.List;

/** {@code GET /api/v1/audit} (admin): the audit trail, newest first, paged with {@code before}. */
public final class AuditRoutes extends ApiRoutes {
  private final AuditTrail audit;

  /** A page of entries; {@code next} is the {@code before} value of the next page. */
  public record Page(List<AuditTrail.Entry> items, Long next) {}

  public AuditRoutes(AuditTrail audit, Json json, ErrorMapping errors) {
    super(json, errors);
    this.audit = audit;
  }

  @Override
  public Route route(Caller caller) {
    return path(
        "audit",
        () ->
            get(
                () ->
                    authorized(
                        caller,
                        Role.ADMIN,
                        p ->
                            parameterOptional(
                                "before",
                                before ->
                                    parameterOptional(
                                        "limit",
                                        limitText -> {
                                          int limit = limit(limitText, 100, 1000);
                                          Long beforeId = before.map(AuditRoutes::id).orElse(null);
                                          return onSuccess(
                                              audit.list(beforeId, limit),
                                              items ->
                                                  json(
                                                      StatusCodes.OK,
                                                      new Page(
                                                          items,
                                                          items.size() == limit
                                                              ? items.get(items.size() - 1).id()
                                                              : null)));
                                        })))));
  }

  private static Long id(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw badRequest("before must be an audit entry id (a whole number), not '" + text + "'");
    }
  }
}
