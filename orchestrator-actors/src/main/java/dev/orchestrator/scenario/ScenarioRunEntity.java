package dev.orchestrator.scenario;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.pattern.StatusReply;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.SignalHandler;
import dev.orchestrator.protocol.Durations;
import dev.orchestrator.protocol.scenario.Action;
import dev.orchestrator.protocol.scenario.ActionTemplates;
import dev.orchestrator.protocol.scenario.RunStatus;
import dev.orchestrator.protocol.scenario.ScenarioCommand;
import dev.orchestrator.protocol.scenario.ScenarioRunCommand;
import dev.orchestrator.protocol.scenario.ScenarioRunCommand.Cancel;
import dev.orchestrator.protocol.scenario.ScenarioRunCommand.Get;
import dev.orchestrator.protocol.scenario.ScenarioRunCommand.Start;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.Logged;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.RunFinished;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.RunStarted;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.StepFailed;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.StepSkipped;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.StepStarted;
import dev.orchestrator.protocol.scenario.ScenarioRunEvent.StepSucceeded;
import dev.orchestrator.protocol.scenario.ScenarioRunView;
import dev.orchestrator.protocol.scenario.ScenarioView;
import dev.orchestrator.scenario.ScenarioRunInternal.ActionDone;
import dev.orchestrator.scenario.ScenarioRunInternal.EndAcknowledged;
import dev.orchestrator.scenario.ScenarioRunInternal.Idle;
import dev.orchestrator.scenario.ScenarioRunInternal.Proceed;
import dev.orchestrator.scenario.ScenarioRunInternal.StepTimeout;
import dev.orchestrator.scenario.ScenarioRunState.Empty;
import dev.orchestrator.scenario.ScenarioRunState.Run;
import dev.orchestrator.scenario.action.ActionContext;
import dev.orchestrator.scenario.action.ActionExecutor;
import dev.orchestrator.scenario.action.ActionFailed;
import dev.orchestrator.scenario.action.ActionRegistry;
import dev.orchestrator.scenario.action.ActionResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * One execution of a scenario (durable execution). Sharded by run id, event-sourced, and remembered
 * until it ended and told its scenario, so that after a crash it resumes on whichever node its
 * shard moves to.
 *
 * <p>Steps run one after another: each attempt is journaled ({@code StepStarted}) before the action
 * runs, and its outcome after, in the same write as whatever follows at once (the next step's
 * start, {@code log_event} steps, the run's end). A step that fails is tried again as its {@code
 * retry} says; when it finally fails, its {@code on_failure} actions run, and then the run ends
 * FAILED. After a crash the run goes on at the first unfinished step: a step that had begun is
 * attempted again under the same attempt number and marked {@code reattempted} (its action may have
 * happened once already); finished steps are never repeated. Cancelling ends the run at once; the
 * step in flight is left to itself.
 */
public final class ScenarioRunEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        ScenarioRunCommand, ScenarioRunEvent, ScenarioRunState> {

  static final Duration IDLE_AFTER_END = Duration.ofSeconds(30);
  static final Duration REPORT_RETRY = Duration.ofSeconds(1);

  private final String runId;
  private final ActorContext<ScenarioRunCommand> context;
  private final TimerScheduler<ScenarioRunCommand> timers;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ActionRegistry actions;
  private final ScenarioSettings settings;

  /** The attempt this incarnation runs now ({@code path#attempt}); null when none. */
  private String inFlight;

  /** Completed when the run gives up the attempt in flight, so that its executor stops. */
  private CompletableFuture<Void> inFlightAbandoned;

  private void abandonInFlight() {
    inFlight = null;
    if (inFlightAbandoned != null) {
      inFlightAbandoned.complete(null);
      inFlightAbandoned = null;
    }
  }

  private boolean reporting;

  /** The scenario entity recorded this run's end (in this incarnation). */
  private boolean endReported;

  private ScenarioRunEntity(
      String runId,
      ActorContext<ScenarioRunCommand> context,
      TimerScheduler<ScenarioRunCommand> timers,
      ActorRef<ClusterSharding.ShardCommand> shard,
      ActionRegistry actions,
      ScenarioSettings settings) {
    super(PersistenceId.of(ScenarioKeys.RUN.name(), runId));
    this.runId = runId;
    this.context = context;
    this.timers = timers;
    this.shard = shard;
    this.actions = actions;
    this.settings = settings;
  }

  public static Behavior<ScenarioRunCommand> create(
      String runId,
      ActorRef<ClusterSharding.ShardCommand> shard,
      ActionRegistry actions,
      ScenarioSettings settings) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new ScenarioRunEntity(runId, context, timers, shard, actions, settings)));
  }

  public static void init(
      ActorSystem<?> system, ActionRegistry actions, ScenarioSettings settings) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    ScenarioKeys.RUN,
                    ctx -> create(ctx.getEntityId(), ctx.getShard(), actions, settings))
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  @Override
  public ScenarioRunState emptyState() {
    return new Empty();
  }

  @Override
  public Set<String> tagsFor(ScenarioRunEvent event) {
    return Set.of(ScenarioKeys.tagFor(runId, ScenarioKeys.RUN_TAGS));
  }

  @Override
  public String snapshotPluginId() {
    return "akka.persistence.no-snapshot-store";
  }

  @Override
  public CommandHandlerWithReply<ScenarioRunCommand, ScenarioRunEvent, ScenarioRunState>
      commandHandler() {
    CommandHandlerWithReplyBuilder<ScenarioRunCommand, ScenarioRunEvent, ScenarioRunState> builder =
        newCommandHandlerWithReplyBuilder();
    builder
        .forStateType(Empty.class)
        .onCommand(Start.class, this::start)
        .onCommand(Get.class, (s, c) -> unknown(c.replyTo()))
        .onCommand(Cancel.class, (s, c) -> unknown(c.replyTo()))
        .onCommand(Idle.class, (s, c) -> passivate())
        .onAnyCommand(c -> Effect().noReply());
    builder
        .forStateType(Run.class)
        .onCommand(
            Start.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.view())))
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.view())))
        .onCommand(Cancel.class, this::cancel)
        .onCommand(Proceed.class, (s, c) -> proceed(s))
        .onCommand(ActionDone.class, this::actionDone)
        .onCommand(StepTimeout.class, this::stepTimeout)
        .onCommand(EndAcknowledged.class, this::endAcknowledged)
        .onCommand(
            Idle.class, (s, c) -> s.reported() || endReported ? passivate() : Effect().noReply());
    return builder.build();
  }

  /** Journals the start together with the first steps: one write, not two. */
  private ReplyEffect<ScenarioRunEvent, ScenarioRunState> start(Empty state, Start start) {
    Plan plan = plan(state, List.of(new RunStarted(runId, start.spec(), Instant.now())), null);
    return Effect()
        .persist(plan.events())
        .thenRun(s -> plan.after().run())
        .thenReply(start.replyTo(), s -> StatusReply.success(((Run) s).view()));
  }

  private ReplyEffect<ScenarioRunEvent, ScenarioRunState> cancel(Run state, Cancel cancel) {
    if (state.finished()) {
      return Effect()
          .reply(
              cancel.replyTo(),
              StatusReply.error("run " + runId + " has already ended " + state.status()));
    }
    String reason = cancel.reason() == null ? "cancelled" : "cancelled: " + cancel.reason();
    abandonInFlight();
    return Effect()
        .persist(new RunFinished(runId, RunStatus.CANCELLED, reason, Instant.now()))
        .thenRun(s -> self(Proceed.INSTANCE))
        .thenReply(cancel.replyTo(), s -> StatusReply.success(((Run) s).view()));
  }

  /** Does the next thing: finish, report, wait for a retry, or begin (or resume) a step. */
  private ReplyEffect<ScenarioRunEvent, ScenarioRunState> proceed(Run state) {
    if (state.finished()) {
      if (!state.reported() && !endReported) {
        report(state);
      }
      return Effect().noReply();
    }
    String path = state.current();
    ScenarioRunView.Step step = path == null ? null : state.step(path);
    if (step != null && "RUNNING".equals(step.status())) {
      if (inFlight != null) {
        return Effect().noReply();
      }
      return persist(plan(state, List.of(), beginning(state, path, step.attempts(), true)));
    }
    Instant now = Instant.now();
    if (state.retryAt() != null && state.retryAt().isAfter(now)) {
      timers.startSingleTimer("retry", Proceed.INSTANCE, Duration.between(now, state.retryAt()));
      return Effect().noReply();
    }
    return persist(plan(state, List.of(), null));
  }

  /** What to journal in one write, and what to do once it is journaled. */
  private record Plan(List<ScenarioRunEvent> events, Runnable after) {}

  /** The events that begin an attempt of a step, and what to do once they are journaled. */
  private record Begun(List<ScenarioRunEvent> events, Runnable after) {}

  /**
   * {@code events} (and the beginning {@code first}, may be null), followed by everything that can
   * be journaled with them: each next step that is due now, up to and including the first one whose
   * action runs elsewhere ({@code log_event} steps are done in their own events), or the run's end.
   * So a step's outcome and the next step's start are one write, and so are the last step's outcome
   * and the end. Every attempt's StepStarted is still journaled before its action runs; a run that
   * waits for a retry or has ended is told to proceed afterwards.
   */
  private Plan plan(ScenarioRunState before, List<ScenarioRunEvent> events, Begun first) {
    List<ScenarioRunEvent> all = new ArrayList<>(events);
    List<Runnable> afters = new ArrayList<>();
    ScenarioRunState state = applied(before, events);
    if (first != null) {
      all.addAll(first.events());
      afters.add(first.after());
      state = applied(state, first.events());
    }
    while (state instanceof Run run && !run.finished()) {
      String path = run.current();
      if (path == null) {
        RunStatus status = run.firstError() == null ? RunStatus.SUCCEEDED : RunStatus.FAILED;
        RunFinished finished = new RunFinished(runId, status, run.firstError(), Instant.now());
        all.add(finished);
        state = run.apply(finished);
        break;
      }
      ScenarioRunView.Step step = run.step(path);
      if (step != null && "RUNNING".equals(step.status())) {
        break;
      }
      if (run.retryAt() != null && run.retryAt().isAfter(Instant.now())) {
        break;
      }
      Begun begun = beginning(run, path, step == null ? 1 : step.attempts() + 1, false);
      all.addAll(begun.events());
      afters.add(begun.after());
      state = applied(run, begun.events());
    }
    if (!(state instanceof Run run) || run.finished() || run.retryAt() != null) {
      afters.add(() -> self(Proceed.INSTANCE));
    }
    return new Plan(all, () -> afters.forEach(Runnable::run));
  }

  private static ScenarioRunState applied(ScenarioRunState state, List<ScenarioRunEvent> events) {
    ScenarioRunState after = state;
    for (ScenarioRunEvent event : events) {
      after = after.apply(event);
    }
    return after;
  }

  private ReplyEffect<ScenarioRunEvent, ScenarioRunState> persist(Plan plan) {
    if (plan.events().isEmpty()) {
      plan.after().run();
      return Effect().noReply();
    }
    return Effect().persist(plan.events()).thenRun(s -> plan.after().run()).thenNoReply();
  }

  /**
   * How an attempt begins. A {@code log_event} is done in its own events (started, logged,
   * succeeded) and only writes its line once they are journaled; another action is started once its
   * StepStarted is journaled.
   */
  private Begun beginning(Run state, String path, int attempt, boolean reattempt) {
    Action action = StepPaths.action(state.spec().definition(), path);
    Action rendered =
        ActionTemplates.render(
            action,
            ActionTemplates.scope(
                state.spec().trigger(), state.spec().scenario(), runId, state.failure()));
    Instant now = Instant.now();
    StepStarted started = new StepStarted(runId, path, action.typeName(), attempt, reattempt, now);
    if (rendered instanceof Action.LogEvent log) {
      String level = log.level() == null ? "info" : log.level();
      return new Begun(
          List.of(
              started,
              new Logged(runId, path, level, log.message(), now),
              new StepSucceeded(runId, path, log.message(), null, now)),
          () -> writeLog(state, level, log.message()));
    }
    Duration timeout = action.timeout() != null ? action.timeout() : settings.actionTimeout();
    CompletableFuture<Void> abandoned = new CompletableFuture<>();
    ActionContext ctx =
        new ActionContext(
            runId, path, attempt, reattempt, state.spec(), now.plus(timeout), abandoned);
    String key = path + "#" + attempt;
    return new Begun(
        List.of(started),
        () -> {
          inFlight = key;
          inFlightAbandoned = abandoned;
          timers.startSingleTimer(key, new StepTimeout(path, attempt), timeout);
          context.pipeToSelf(
              execute(rendered, ctx),
              (outcome, failure) ->
                  failure == null
                      ? outcome
                      : new ActionDone(path, attempt, null, null, message(failure)));
        });
  }

  private CompletionStage<ActionDone> execute(Action action, ActionContext ctx) {
    String type = action.typeName();
    Optional<ActionExecutor> executor = actions.executor(type);
    if (executor.isEmpty()) {
      return CompletableFuture.completedFuture(
          new ActionDone(
              ctx.path(), ctx.attempt(), null, null, "no executor for " + type + " on this node"));
    }
    return actions
        .guard()
        .skipReason(type)
        .thenCompose(
            skip ->
                skip.isPresent()
                    ? CompletableFuture.completedFuture(
                        new ActionDone(ctx.path(), ctx.attempt(), null, skip.get(), null))
                    : executor
                        .get()
                        .execute(action, ctx)
                        .thenApply(r -> new ActionDone(ctx.path(), ctx.attempt(), r, null, null)));
  }

  private ReplyEffect<ScenarioRunEvent, ScenarioRunState> actionDone(Run state, ActionDone done) {
    String key = done.path() + "#" + done.attempt();
    if (!key.equals(inFlight) || state.finished()) {
      return Effect().noReply();
    }
    inFlight = null;
    inFlightAbandoned = null;
    timers.cancel(key);
    Instant now = Instant.now();
    String type = StepPaths.action(state.spec().definition(), done.path()).typeName();
    if (done.skipped() != null) {
      return persistThenProceed(state, new StepSkipped(runId, done.path(), done.skipped(), now));
    }
    if (done.error() == null) {
      actions.guard().record(type, true, null);
      ActionResult r = done.result();
      return persistThenProceed(
          state,
          new StepSucceeded(
              runId,
              done.path(),
              r == null ? null : r.detail(),
              r == null ? null : r.output(),
              now));
    }
    actions.guard().record(type, false, done.error());
    return failed(state, done.path(), done.attempt(), done.error(), now);
  }

  private ReplyEffect<ScenarioRunEvent, ScenarioRunState> stepTimeout(Run state, StepTimeout t) {
    String key = t.path() + "#" + t.attempt();
    if (!key.equals(inFlight) || state.finished()) {
      return Effect().noReply();
    }
    abandonInFlight();
    Action action = StepPaths.action(state.spec().definition(), t.path());
    Duration timeout = action.timeout() != null ? action.timeout() : settings.actionTimeout();
    String error = "timed out after " + Durations.format(timeout);
    actions.guard().record(action.typeName(), false, error);
    return failed(state, t.path(), t.attempt(), error, Instant.now());
  }

  private ReplyEffect<ScenarioRunEvent, ScenarioRunState> failed(
      Run state, String path, int attempt, String error, Instant now) {
    Action action = StepPaths.action(state.spec().definition(), path);
    Instant retryAt = null;
    if (action.retry() != null && attempt <= action.retry().attempts()) {
      Duration backoff =
          action.retry().backoff() == null ? Duration.ZERO : action.retry().backoff();
      retryAt = now.plus(backoff);
    }
    return persistThenProceed(state, new StepFailed(runId, path, attempt, error, retryAt, now));
  }

  /** Journals a step's outcome with whatever follows at once (see {@link #plan}). */
  private ReplyEffect<ScenarioRunEvent, ScenarioRunState> persistThenProceed(
      Run state, ScenarioRunEvent event) {
    return persist(plan(state, List.of(event), null));
  }

  /** Tells the scenario entity that the run ended, until it answers. */
  private void report(Run state) {
    if (reporting) {
      return;
    }
    reporting = true;
    context.pipeToSelf(
        ClusterSharding.get(context.getSystem())
            .entityRefFor(ScenarioKeys.SCENARIO, state.spec().scenario())
            .<ScenarioView>askWithStatus(
                replyTo ->
                    new ScenarioCommand.RunEnded(
                        runId, state.status(), state.finishedAt(), replyTo),
                settings.askTimeout()),
        (view, failure) -> {
          if (failure instanceof StatusReply.ErrorMessage) {
            context
                .getLog()
                .warn("Scenario of run {} refused its end: {}", runId, failure.getMessage());
            return new EndAcknowledged(true);
          }
          return new EndAcknowledged(failure == null);
        });
  }

  private ReplyEffect<ScenarioRunEvent, ScenarioRunState> endAcknowledged(
      Run state, EndAcknowledged ack) {
    reporting = false;
    if (!ack.ok()) {
      timers.startSingleTimer("report", Proceed.INSTANCE, REPORT_RETRY);
      return Effect().noReply();
    }
    // Not journaled: were the run read again, telling its scenario once more changes nothing.
    endReported = true;
    timers.startSingleTimer("idle", Idle.INSTANCE, IDLE_AFTER_END);
    return Effect().noReply();
  }

  private void writeLog(Run state, String level, String message) {
    String scenario = state.spec().scenario();
    switch (level) {
      case "debug" -> context.getLog().debug("[{} {}] {}", scenario, runId, message);
      case "warning" -> context.getLog().warn("[{} {}] {}", scenario, runId, message);
      case "error" -> context.getLog().error("[{} {}] {}", scenario, runId, message);
      default -> context.getLog().info("[{} {}] {}", scenario, runId, message);
    }
  }

  private ReplyEffect<ScenarioRunEvent, ScenarioRunState> unknown(
      ActorRef<StatusReply<ScenarioRunView>> replyTo) {
    timers.startSingleTimer("idle", Idle.INSTANCE, IDLE_AFTER_END);
    return Effect().reply(replyTo, StatusReply.error("no run has the id " + runId));
  }

  private ReplyEffect<ScenarioRunEvent, ScenarioRunState> passivate() {
    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    return Effect().noReply();
  }

  private void self(ScenarioRunCommand message) {
    context.getSelf().tell(message);
  }

  private static String message(Throwable failure) {
    Throwable t =
        failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause()
            : failure;
    if (t instanceof ActionFailed) {
      return t.getMessage();
    }
    return t.getMessage() == null
        ? t.getClass().getSimpleName()
        : t.getClass().getSimpleName() + ": " + t.getMessage();
  }

  @Override
  public SignalHandler<ScenarioRunState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(PostStop.instance(), state -> abandonInFlight())
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              if (state instanceof Run run) {
                if (run.reported()) {
                  timers.startSingleTimer("idle", Idle.INSTANCE, IDLE_AFTER_END);
                } else {
                  self(Proceed.INSTANCE);
                }
              }
            })
        .build();
  }

  @Override
  public EventHandler<ScenarioRunState, ScenarioRunEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(ScenarioRunState::apply);
  }
}
