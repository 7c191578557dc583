package dev.orchestrator.protocol.scenario;

import java.io.IOException;

/** Thrown by the first pass to stop at once with one problem. */
final class Refused extends IOException {
  final transient ScenarioProblem problem;

  Refused(ScenarioProblem problem) {
    super(problem.message());
    this.problem = problem;
  }
}
