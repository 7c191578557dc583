package dev.orchestrator.gateway;

import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.AuthorizationFailedRejection;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.MalformedQueryParamRejection;
import akka.http.javadsl.server.MalformedRequestContentRejection;
import akka.http.javadsl.server.MethodRejection;
import akka.http.javadsl.server.MissingQueryParamRejection;
import akka.http.javadsl.server.Rejection;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.server.UnsupportedRequestContentTypeRejection;
import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.pattern.AskTimeoutException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where failures become HTTP answers: every error is problem+json, whatever raised it
 * (a route, Akka HTTP's rejections, an ask that timed out, a body over the limit).
 */
public final class ErrorMapping extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(ErrorMapping.class);

  private final Json json;
  private final ExceptionHandler exceptionHandler;
  private final RejectionHandler rejectionHandler;

  /** Builds the handlers once: the gateway's routes ask for them on every request. */
  public ErrorMapping(Json json) {
    this.json = json;
    this.exceptionHandler = buildExceptionHandler();
    this.rejectionHandler = buildRejectionHandler();
  }

  public HttpResponse response(Problem problem) {
    return HttpResponse.create()
        .withStatus(StatusCodes.get(problem.status()))
        .withEntity(json.problemEntity(problem));
  }

  /** Maps any throwable (unwrapped from CompletionException first) to a problem. */
  public Problem problemFor(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof ApiException api) {
      return api.problem();
    }
    if (t instanceof EntityStreamSizeException size) {
      return Problem.tooLarge(
          "the body is larger than the limit of "
              + size.limit()
              + " bytes (1 MiB); send less data per request");
    }
    if (t instanceof AskTimeoutException || t instanceof TimeoutException) {
      return Problem.unavailable(
          "the cluster did not answer in time; the node may be starting or a shard is moving,"
              + " try again shortly");
    }
    log.error("Unexpected failure while handling a request", t);
    return Problem.internal(
        "the request failed unexpectedly; the node log has the details ("
            + t.getClass().getSimpleName()
            + ")");
  }

  public static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  public ExceptionHandler exceptionHandler() {
    return exceptionHandler;
  }

  public RejectionHandler rejectionHandler() {
    return rejectionHandler;
  }

  private ExceptionHandler buildExceptionHandler() {
    return ExceptionHandler.newBuilder()
        .match(Throwable.class, t -> completeProblem(problemFor(t)))
        .build();
  }

  private RejectionHandler buildRejectionHandler() {
    return RejectionHandler.newBuilder()
        .handleAll(
            MethodRejection.class,
            rejections -> {
              List<akka.http.javadsl.model.HttpMethod> allowed =
                  rejections.stream().map(MethodRejection::supported).toList();
              return completeProblem(
                      Problem.of(
                          405,
                          "method-not-allowed",
                          "Method not allowed",
                          "this path accepts "
                              + allowed.stream()
                                  .map(akka.http.javadsl.model.HttpMethod::name)
                                  .collect(Collectors.joining(", "))))
                  .seal()
                  .orElse(completeProblem(Problem.internal("no method")));
            })
        .handle(
            MalformedRequestContentRejection.class,
            // A body over the size limit surfaces here too (the entity stream fails): 413, not 400.
            r ->
                completeProblem(
                    r.getCause() instanceof EntityStreamSizeException
                        ? problemFor(r.getCause())
                        : Problem.malformedJson(r.message())))
        .handle(
            MalformedQueryParamRejection.class,
            r ->
                completeProblem(
                    Problem.badRequest(
                        "query parameter '" + r.parameterName() + "': " + r.errorMsg())))
        .handle(
            MissingQueryParamRejection.class,
            r ->
                completeProblem(
                    Problem.badRequest("query parameter '" + r.parameterName() + "' is required")))
        .handle(
            UnsupportedRequestContentTypeRejection.class,
            r ->
                completeProblem(
                    Problem.of(
                        415,
                        "unsupported-media-type",
                        "Unsupported media type",
                        "send application/json")))
        .handle(
            AuthorizationFailedRejection.class,
            r -> completeProblem(Problem.forbidden("this call needs a higher role")))
        .handle(
            Rejection.class,
            r -> {
              log.debug("Unmapped rejection {}", r);
              return completeProblem(Problem.badRequest("the request was refused: " + r));
            })
        .handleNotFound(
            completeProblem(
                Problem.notFound(
                    "no such path; the API lives under /api/v1 (see the README for the routes)")))
        .build();
  }

  public Route completeProblem(Problem problem) {
    return complete(response(problem));
  }
}
