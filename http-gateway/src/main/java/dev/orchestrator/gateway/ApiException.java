package dev.orchestrator.gateway;

/** Ends a request with the given problem; thrown by routes, mapped in one place. */
public final class ApiException extends RuntimeException {
  private final Problem problem;

  public ApiException(Problem problem) {
    super(problem.detail(), null, false, false);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
