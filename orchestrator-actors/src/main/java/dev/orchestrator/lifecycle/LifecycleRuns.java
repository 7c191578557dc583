package dev.orchestrator.lifecycle;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import dev.orchestrator.protocol.lifecycle.LifecycleRunCommand;
import dev.orchestrator.protocol.lifecycle.LifecycleRunSpec;
import dev.orchestrator.protocol.lifecycle.LifecycleRunView;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Plans a lifecycle request against the registered components and starts it as a {@link
 * LifecycleRunEntity} run; reads a run's report. What the lifecycle API and the scenario action
 * {@code send_command} share.
 */
public final class LifecycleRuns {
  private final ClusterSharding sharding;
  private final ComponentTopology topology;
  private final Duration askTimeout;

  public LifecycleRuns(ClusterSharding sharding, ComponentTopology topology, Duration askTimeout) {
    this.sharding = sharding;
    this.topology = topology;
    this.askTimeout = askTimeout;
  }

  /**
   * Plans {@code spec} and starts it as run {@code runId}; a run that exists already answers its
   * report and changes nothing. Fails with {@link LifecyclePlanner.Unplannable} when the target
   * names no component or the dependencies have a cycle, with {@link
   * akka.pattern.StatusReply.ErrorMessage} when the run refuses the spec.
   */
  public CompletionStage<LifecycleRunView> start(String runId, LifecycleRunSpec spec) {
    return topology
        .read()
        .thenApply(components -> LifecyclePlanner.plan(spec, components))
        .thenCompose(
            plan ->
                sharding
                    .entityRefFor(LifecycleRunEntity.ENTITY_TYPE_KEY, runId)
                    .askWithStatus(
                        replyTo ->
                            new LifecycleRunCommand.Start(
                                spec, plan.steps(), plan.blockers(), replyTo),
                        askTimeout));
  }

  /**
   * The report of run {@code runId}; fails with {@link akka.pattern.StatusReply.ErrorMessage} when
   * no run has this id.
   */
  public CompletionStage<LifecycleRunView> get(String runId) {
    return sharding
        .entityRefFor(LifecycleRunEntity.ENTITY_TYPE_KEY, runId)
        .askWithStatus(LifecycleRunCommand.Get::new, askTimeout);
  }

  /**
   * The report of run {@code runId} once it has finished, or after {@code within} if it has not by
   * then (still RUNNING); asked with the ask timeout on top of {@code within}. Fails with {@link
   * akka.pattern.StatusReply.ErrorMessage} when no run has this id.
   */
  public CompletionStage<LifecycleRunView> awaitEnd(String runId, Duration within) {
    return sharding
        .entityRefFor(LifecycleRunEntity.ENTITY_TYPE_KEY, runId)
        .askWithStatus(replyTo -> new AwaitEnd(within, replyTo), askTimeout.plus(within));
  }
}
