package dev.orchestrator.gateway;

import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.headers.HttpChallenge;
import akka.http.javadsl.model.headers.WWWAuthenticate;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import akka.pattern.StatusReply;
import dev.orchestrator.gateway.auth.Caller;
import dev.orchestrator.gateway.auth.Principal;
import dev.orchestrator.gateway.auth.Role;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** What every route class shares: role checks, JSON bodies and answers, problems. */
public abstract class ApiRoutes extends AllDirectives {
  protected final Json json;
  protected final ErrorMapping errors;

  protected ApiRoutes(Json json, ErrorMapping errors) {
    this.json = json;
    this.errors = errors;
  }

  /** The API's routes for this caller; paths are relative to {@code /api/v1}. */
  public abstract Route route(Caller caller);

  /** 401 without a valid token, 403 when its role is below {@code needed}. */
  protected Route authorized(Caller caller, Role needed, Function<Principal, Route> inner) {
    if (caller.principal().isEmpty()) {
      return respondWithHeader(
          WWWAuthenticate.create(HttpChallenge.create("Bearer", "orchestrator")),
          () -> errors.completeProblem(Problem.unauthorized(caller.whyNot())));
    }
    Principal principal = caller.principal().get();
    if (!principal.role().includes(needed)) {
      return errors.completeProblem(
          Problem.forbidden(
              "this call needs the "
                  + needed.wire()
                  + " role; the token '"
                  + principal.name()
                  + "' has "
                  + principal.role().wire()));
    }
    return inner.apply(principal);
  }

  /** Reads the body as {@code type}; malformed input ends in a 400 naming the field. */
  protected <T> Route withBody(Class<T> type, Function<T, Route> inner) {
    return entity(Unmarshaller.entityToString(), body -> inner.apply(json.read(body, type)));
  }

  protected <T> Route json(StatusCode status, T value) {
    return complete(status, value, json.<T>marshaller());
  }

  /**
   * An entity's answer, with its refusal ({@code StatusReply.error}) turned into the problem that
   * {@code refusal} names; other failures (an ask timeout: 503) pass through whole.
   */
  protected static <T> CompletionStage<T> refusedAs(
      CompletionStage<T> answer, Function<String, Problem> refusal) {
    return answer.exceptionally(
        failure -> {
          Throwable t = ErrorMapping.unwrap(failure);
          if (t instanceof StatusReply.ErrorMessage refused) {
            throw new ApiException(refusal.apply(refused.getMessage()));
          }
          throw new CompletionException(t);
        });
  }

  protected static ApiException badRequest(String detail) {
    return new ApiException(Problem.badRequest(detail));
  }

  /** Parses an optional positive integer query parameter within {@code [1, max]}. */
  protected static int limit(Optional<String> value, int defaultValue, int max) {
    if (value.isEmpty()) {
      return defaultValue;
    }
    try {
      int limit = Integer.parseInt(value.get());
      if (limit >= 1 && limit <= max) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw badRequest(
        "limit must be a whole number from 1 to " + max + ", not '" + value.get() + "'");
  }
}
