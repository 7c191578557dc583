package dev.orchestrator.gateway.auth;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import dev.orchestrator.gateway.ApiException;
import dev.orchestrator.gateway.ApiRoutes;
import dev.orchestrator.gateway.ErrorMapping;
import dev.orchestrator.gateway.Json;
import dev.orchestrator.gateway.Problem;
import dev.orchestrator.protocol.Durations;
import dev.orchestrator.protocol.Ids;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** {@code /api/v1/tokens} (admin): issue, list and revoke role tokens. */
public final class TokenRoutes extends ApiRoutes {
  private final TokenStore tokens;

  /** Body of {@code POST /api/v1/tokens}; {@code expiresIn} such as {@code 720h}. */
  public record TokenRequest(String name, String role, String expiresIn) {}

  /** The answer to an issue: the only time the secret is shown. */
  public record IssuedTokenResponse(
      String id, String name, String role, String token, Instant createdAt, Instant expiresAt) {}

  public record TokenResponse(
      String id,
      String name,
      String role,
      Instant createdAt,
      String createdBy,
      Instant expiresAt,
      Instant revokedAt) {}

  public record TokenList(List<TokenResponse> items) {}

  public TokenRoutes(TokenStore tokens, Json json, ErrorMapping errors) {
    super(json, errors);
    this.tokens = tokens;
  }

  @Override
  public Route route(Caller caller) {
    return pathPrefix(
        "tokens",
        () ->
            concat(
                pathEnd(
                    () ->
                        concat(
                            post(
                                () ->
                                    authorized(
                                        caller,
                                        Role.ADMIN,
                                        p ->
                                            withBody(
                                                TokenRequest.class,
                                                body -> issue(body, p.name())))),
                            get(() -> authorized(caller, Role.ADMIN, p -> list())))),
                path(
                    PathMatchers.segment(),
                    id -> delete(() -> authorized(caller, Role.ADMIN, p -> revoke(id))))));
  }

  private Route issue(TokenRequest body, String createdBy) {
    String nameProblem = Ids.problem("name", body.name());
    if (nameProblem != null) {
      throw badRequest(nameProblem);
    }
    Role role =
        Role.parse(body.role() == null ? "" : body.role())
            .orElseThrow(() -> badRequest("role must be one of viewer, operator, admin"));
    Optional<Duration> expiresIn;
    try {
      expiresIn = Optional.ofNullable(body.expiresIn()).map(Durations::parse);
    } catch (IllegalArgumentException e) {
      throw badRequest("expiresIn: " + e.getMessage());
    }
    return onSuccess(
        tokens.issue(body.name(), role, createdBy, expiresIn),
        issued ->
            json(
                StatusCodes.CREATED,
                new IssuedTokenResponse(
                    issued.info().id(),
                    issued.info().name(),
                    role.wire(),
                    issued.token(),
                    issued.info().createdAt(),
                    issued.info().expiresAt())));
  }

  private Route list() {
    return onSuccess(
        tokens.list(),
        list ->
            json(
                StatusCodes.OK,
                new TokenList(
                    list.stream()
                        .map(
                            t ->
                                new TokenResponse(
                                    t.id(),
                                    t.name(),
                                    t.role().wire(),
                                    t.createdAt(),
                                    t.createdBy(),
                                    t.expiresAt(),
                                    t.revokedAt()))
                        .toList())));
  }

  private Route revoke(String idText) {
    UUID id;
    try {
      id = UUID.fromString(idText);
    } catch (IllegalArgumentException e) {
      throw badRequest(
          "'" + idText + "' is not a token id (a UUID, as listed by GET /api/v1/tokens)");
    }
    return onSuccess(
        tokens.revoke(id),
        revoked -> {
          if (!revoked) {
            throw new ApiException(
                Problem.notFound("no live token has the id " + id + "; it may be revoked already"));
          }
          return complete(StatusCodes.NO_CONTENT);
        });
  }
}
