package dev.orchestrator.gateway;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * An RFC 9457 problem: a stable {@code type} that programs match on, a {@code title} for the class
 * of error and a {@code detail} that tells a person what to do.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance) {

  private static final String TYPE_PREFIX = "urn:orchestrator:problem:";

  public static Problem of(int status, String slug, String title, String detail) {
    return new Problem(TYPE_PREFIX + slug, title, status, detail, null);
  }

  public Problem at(String path) {
    return new Problem(type, title, status, detail, path);
  }

  public static Problem badRequest(String detail) {
    return of(400, "validation", "The request is not valid", detail);
  }

  public static Problem malformedJson(String detail) {
    return of(400, "malformed-json", "The body is not the JSON expected", detail);
  }

  public static Problem unauthorized(String detail) {
    return of(401, "unauthorized", "Authentication required", detail);
  }

  public static Problem forbidden(String detail) {
    return of(403, "forbidden", "Role too low", detail);
  }

  public static Problem notFound(String detail) {
    return of(404, "not-found", "Not found", detail);
  }

  public static Problem conflict(String detail) {
    return of(409, "conflict", "Conflict with the current state", detail);
  }

  public static Problem tooLarge(String detail) {
    return of(413, "payload-too-large", "Request body too large", detail);
  }

  public static Problem unavailable(String detail) {
    return of(503, "unavailable", "Temporarily unavailable", detail);
  }

  public static Problem internal(String detail) {
    return of(500, "internal", "Internal error", detail);
  }
}
