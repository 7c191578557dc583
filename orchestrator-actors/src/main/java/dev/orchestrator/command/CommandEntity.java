package dev.orchestrator.command;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.cluster.sharding.typed.ClusterShardingSettings;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.pattern.StatusReply;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.SignalHandler;
import dev.orchestrator.cluster.EntityKeeper;
import dev.orchestrator.command.CommandInternal.Attached;
import dev.orchestrator.command.CommandInternal.AttemptOutcome;
import dev.orchestrator.command.CommandInternal.AttemptTimedOut;
import dev.orchestrator.command.CommandInternal.CancelAttempt;
import dev.orchestrator.command.CommandInternal.ChildSubmitted;
import dev.orchestrator.command.CommandInternal.Execute;
import dev.orchestrator.command.CommandInternal.ExecutorGone;
import dev.orchestrator.command.CommandInternal.ExecutorMessage;
import dev.orchestrator.command.CommandInternal.Idle;
import dev.orchestrator.command.CommandInternal.Reattach;
import dev.orchestrator.command.CommandInternal.ReattachTimedOut;
import dev.orchestrator.command.CommandInternal.Tick;
import dev.orchestrator.command.CommandInternal.Wake;
import dev.orchestrator.command.CommandState.Empty;
import dev.orchestrator.command.CommandState.Known;
import dev.orchestrator.protocol.command.CommandEvent;
import dev.orchestrator.protocol.command.CommandEvent.AttemptFailed;
import dev.orchestrator.protocol.command.CommandEvent.AttemptStarted;
import dev.orchestrator.protocol.command.CommandEvent.CancelRequested;
import dev.orchestrator.protocol.command.CommandEvent.Cancelled;
import dev.orchestrator.protocol.command.CommandEvent.Child;
import dev.orchestrator.protocol.command.CommandEvent.Failed;
import dev.orchestrator.protocol.command.CommandEvent.Submitted;
import dev.orchestrator.protocol.command.CommandEvent.Succeeded;
import dev.orchestrator.protocol.command.CommandEvent.Waiting;
import dev.orchestrator.protocol.command.CommandRequest;
import dev.orchestrator.protocol.command.CommandRequest.Cancel;
import dev.orchestrator.protocol.command.CommandRequest.Get;
import dev.orchestrator.protocol.command.CommandRequest.Submit;
import dev.orchestrator.protocol.command.CommandSpec;
import dev.orchestrator.protocol.command.CommandStatus;
import dev.orchestrator.protocol.command.CommandView;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One durable command, sharded by id, event-sourced. It stays in memory until it has finished (no
 * automatic passivation: a scheduled command holds its timer); after its node died, its shard moved
 * or the cluster restarted, the {@link CommandKeeper} starts it again from the read side
 * (sharding's remember-entities would cost two more commits per command, one of them before the
 * first event).
 *
 * <p>State machine: Empty --Submit--> SCHEDULED (until scheduledAt) or PENDING; PENDING --an
 * executor with the target role is up--> RUNNING (AttemptStarted) else PENDING with waitingFor;
 * RUNNING --success--> SUCCEEDED; --failure, retries left--> PENDING until the backoff elapses;
 * --failure, none left--> FAILED / TIMED_OUT / NOT_FOUND; --its node died--> PENDING, again at once
 * (an interruption uses up no retry). Cancel: PENDING/SCHEDULED --> CANCELLED at once; RUNNING -->
 * CancelRequested, the attempt is told to stop, CANCELLED when it returns. A final event carries
 * the chained children (onSuccess / onFailure / onCancel), which the entity then submits; it
 * submits them again after a restart, so either the parent is unfinished or its children exist.
 */
public final class CommandEntity
    extends EventSourcedBehaviorWithEnforcedReplies<CommandRequest, CommandEvent, CommandState> {

  public static final EntityTypeKey<CommandRequest> ENTITY_TYPE_KEY =
      EntityTypeKey.create(CommandRequest.class, "Command");

  /** The longest timer armed at once; see {@link #armTick(Instant)}. */
  private static final Duration MAX_TICK_DELAY = Duration.ofDays(1);

  private final String commandId;
  private final ActorContext<CommandRequest> context;
  private final TimerScheduler<CommandRequest> timers;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final CommandSettings settings;
  private final ExecutorDirectory directory;
  private ActorRef<ExecutorMessage> executor;
  private final Set<String> unconfirmedChildren = new HashSet<>();

  private CommandEntity(
      String commandId,
      ActorContext<CommandRequest> context,
      TimerScheduler<CommandRequest> timers,
      ActorRef<ClusterSharding.ShardCommand> shard,
      CommandSettings settings) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), commandId));
    this.commandId = commandId;
    this.context = context;
    this.timers = timers;
    this.shard = shard;
    this.settings = settings;
    this.directory = ExecutorDirectory.get(context.getSystem());
  }

  public static Behavior<CommandRequest> create(
      String commandId, ActorRef<ClusterSharding.ShardCommand> shard, CommandSettings settings) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new CommandEntity(commandId, context, timers, shard, settings)));
  }

  public static void init(ActorSystem<?> system) {
    // Read once: parsing the settings for every new command showed in its profile.
    CommandSettings settings = CommandSettings.of(system);
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), ctx.getShard(), settings))
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  /**
   * Commands never snapshot (a few events each), so recovery skips the snapshot store: with the
   * JDBC one every new command would pay a query for a snapshot that cannot exist.
   */
  @Override
  public String snapshotPluginId() {
    return "akka.persistence.no-snapshot-store";
  }

  @Override
  public CommandState emptyState() {
    return new Empty();
  }

  @Override
  public Set<String> tagsFor(CommandEvent event) {
    return Set.of(CommandTags.tagFor(commandId));
  }

  @Override
  public CommandHandlerWithReply<CommandRequest, CommandEvent, CommandState> commandHandler() {
    CommandHandlerWithReplyBuilder<CommandRequest, CommandEvent, CommandState> builder =
        newCommandHandlerWithReplyBuilder();
    builder
        .forStateType(Empty.class)
        .onCommand(Submit.class, this::submit)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), unknown()))
        .onCommand(Cancel.class, (s, c) -> Effect().reply(c.replyTo(), unknown()))
        .onCommand(Idle.class, (s, c) -> passivate())
        .onAnyCommand(c -> Effect().noReply());
    builder
        .forStateType(Known.class)
        .onCommand(
            Submit.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.view())))
        .onCommand(Get.class, this::get)
        .onCommand(Cancel.class, this::cancel)
        .onCommand(Tick.class, (s, c) -> tick(s))
        .onCommand(AttemptOutcome.class, this::outcome)
        .onCommand(AttemptTimedOut.class, this::timedOut)
        .onCommand(ExecutorGone.class, this::executorGone)
        .onCommand(Attached.class, (s, c) -> attached(c))
        .onCommand(ReattachTimedOut.class, this::reattachTimedOut)
        .onCommand(ChildSubmitted.class, this::childSubmitted)
        .onCommand(Idle.class, (s, c) -> idle(s))
        .onCommand(Wake.class, (s, c) -> EntityKeeper.answerWake(c.replyTo(), Effect().noReply()));
    return builder.build();
  }

  private ReplyEffect<CommandEvent, CommandState> submit(Empty state, Submit submit) {
    List<String> problems = submit.spec().problems();
    if (!problems.isEmpty()) {
      return Effect().reply(submit.replyTo(), StatusReply.error(String.join("; ", problems)));
    }
    Instant now = Instant.now();
    Duration timeout =
        submit.spec().timeout() == null ? settings.defaultTimeout() : submit.spec().timeout();
    Submitted submitted = new Submitted(commandId, submit.spec(), submit.parentId(), timeout, now);
    Known known = (Known) state.apply(submitted);
    if (known.status() == CommandStatus.SCHEDULED) {
      return Effect()
          .persist(submitted)
          .thenRun(s -> armTick(known.spec().scheduledAt()))
          .thenReply(submit.replyTo(), CommandEntity::viewReply);
    }
    return dispatch(known, List.of(submitted), submit.replyTo());
  }

  private ReplyEffect<CommandEvent, CommandState> get(Known state, Get get) {
    if (state.status().isFinal()) {
      armIdle();
    }
    return Effect().reply(get.replyTo(), StatusReply.success(state.view()));
  }

  /** Starts the next attempt if an executor for the target role is up, else waits for one. */
  private ReplyEffect<CommandEvent, CommandState> dispatch(
      Known state, List<CommandEvent> before, ActorRef<StatusReply<CommandView>> replyTo) {
    Optional<ActorRef<ExecutorMessage>> picked = directory.pick(state.spec().target());
    List<CommandEvent> events = new ArrayList<>(before);
    if (picked.isPresent()) {
      ActorRef<ExecutorMessage> chosen = picked.get();
      int attempt = state.attempts() + 1;
      events.add(new AttemptStarted(commandId, attempt, node(chosen), Instant.now()));
      return reply(Effect().persist(events).thenRun(s -> startAttempt((Known) s, chosen)), replyTo);
    }
    String reason = "waiting for a node with role '" + state.spec().target() + "'";
    Duration recheck = settings.waitRecheck();
    if (before.isEmpty() && reason.equals(state.waitingFor())) {
      armTick(Instant.now().plus(recheck));
      return replyTo == null
          ? Effect().noReply()
          : Effect().reply(replyTo, StatusReply.success(state.view()));
    }
    events.add(new Waiting(commandId, reason, Instant.now()));
    return reply(
        Effect().persist(events).thenRun(s -> armTick(Instant.now().plus(recheck))), replyTo);
  }

  private void startAttempt(Known state, ActorRef<ExecutorMessage> chosen) {
    stopWatchingExecutor();
    executor = chosen;
    int attempt = state.attempts();
    context.watchWith(chosen, new ExecutorGone(attempt));
    timers.startSingleTimer("attempt", new AttemptTimedOut(attempt), state.timeout());
    chosen.tell(
        new Execute(
            commandId,
            attempt,
            state.spec().name(),
            state.spec().input(),
            state.spec().idempotencyKey(),
            Instant.now().plus(state.timeout()),
            context.getSelf()));
  }

  private ReplyEffect<CommandEvent, CommandState> tick(Known state) {
    Instant now = Instant.now();
    if (state.status() == CommandStatus.SCHEDULED
        && state.nextAttemptAt() != null
        && now.isBefore(state.nextAttemptAt())) {
      armTick(state.nextAttemptAt());
      return Effect().noReply();
    }
    if (state.status() == CommandStatus.PENDING
        && state.nextAttemptAt() != null
        && now.isBefore(state.nextAttemptAt())) {
      armTick(state.nextAttemptAt());
      return Effect().noReply();
    }
    if (state.status() == CommandStatus.SCHEDULED || state.status() == CommandStatus.PENDING) {
      return dispatch(state, List.of(), null);
    }
    return Effect().noReply();
  }

  private ReplyEffect<CommandEvent, CommandState> outcome(Known state, AttemptOutcome outcome) {
    if (!isCurrent(state, outcome.attempt())) {
      return Effect().noReply();
    }
    endAttempt();
    if (state.cancelReason() != null) {
      return finish(cancelled(state, state.cancelReason()));
    }
    if (outcome.success()) {
      return finish(succeeded(state, outcome));
    }
    return switch (outcome.failure()) {
      case NOT_FOUND -> finish(failed(state, CommandStatus.NOT_FOUND, outcome.error()));
      case PERMANENT -> finish(failed(state, CommandStatus.FAILED, outcome.error()));
      default -> retryOrFail(state, outcome.error(), false);
    };
  }

  private ReplyEffect<CommandEvent, CommandState> timedOut(Known state, AttemptTimedOut timeout) {
    if (!isCurrent(state, timeout.attempt())) {
      return Effect().noReply();
    }
    if (executor != null) {
      executor.tell(new CancelAttempt(commandId, timeout.attempt()));
    }
    endAttempt();
    if (state.cancelReason() != null) {
      return finish(cancelled(state, state.cancelReason()));
    }
    return retryOrFail(
        state,
        "attempt " + timeout.attempt() + " ran past the timeout of " + state.timeout(),
        true);
  }

  private ReplyEffect<CommandEvent, CommandState> executorGone(Known state, ExecutorGone gone) {
    if (!isCurrent(state, gone.attempt())) {
      return Effect().noReply();
    }
    endAttempt();
    if (state.cancelReason() != null) {
      return finish(cancelled(state, state.cancelReason()));
    }
    String error = "attempt " + gone.attempt() + " was interrupted: the node running it stopped";
    if (state.interruptions() + 1 > settings.maxInterruptions()) {
      return finish(
          failed(
              state,
              CommandStatus.FAILED,
              error + " (" + (state.interruptions() + 1) + " interruptions, giving up)"));
    }
    Instant now = Instant.now();
    AttemptFailed failed =
        new AttemptFailed(commandId, gone.attempt(), error, false, true, now, now);
    return dispatch((Known) state.apply(failed), List.of(failed), null);
  }

  /**
   * Restarted while an attempt runs (a moved shard, or the node of the entity died): if the node
   * running the attempt is still a member, ask its executor to answer here from now on; the attempt
   * only counts as interrupted if that node is gone or does not know it any more.
   */
  private void reattach(Known state) {
    int attempt = state.attempts();
    Optional<ActorRef<ExecutorMessage>> found =
        state.attempt() == null ? Optional.empty() : directory.at(state.attempt().node());
    if (found.isEmpty()) {
      context.getSelf().tell(new ExecutorGone(attempt));
      return;
    }
    executor = found.get();
    context.watchWith(executor, new ExecutorGone(attempt));
    Duration left = Duration.between(Instant.now(), state.attempt().at().plus(state.timeout()));
    timers.startSingleTimer(
        "attempt", new AttemptTimedOut(attempt), left.isNegative() ? Duration.ZERO : left);
    timers.startSingleTimer("reattach", new ReattachTimedOut(attempt), settings.reattachTimeout());
    executor.tell(new Reattach(commandId, attempt, context.getSelf()));
  }

  private ReplyEffect<CommandEvent, CommandState> attached(Attached attached) {
    timers.cancel("reattach");
    context
        .getLog()
        .info(
            "Command {}: attempt {} still runs; re-attached to it", commandId, attached.attempt());
    return Effect().noReply();
  }

  private ReplyEffect<CommandEvent, CommandState> reattachTimedOut(
      Known state, ReattachTimedOut timeout) {
    if (!isCurrent(state, timeout.attempt()) || executor == null) {
      return Effect().noReply();
    }
    executor.tell(new CancelAttempt(commandId, timeout.attempt()));
    return executorGone(state, new ExecutorGone(timeout.attempt()));
  }

  private ReplyEffect<CommandEvent, CommandState> retryOrFail(
      Known state, String error, boolean timedOut) {
    if (!state.canRetry()) {
      CommandStatus end = timedOut ? CommandStatus.TIMED_OUT : CommandStatus.FAILED;
      return finish(failed(state, end, error));
    }
    Instant now = Instant.now();
    Duration delay =
        state
            .spec()
            .backoff()
            .delay(state.failures() + 1, ThreadLocalRandom.current().nextDouble());
    Instant retryAt = now.plus(delay);
    return Effect()
        .persist(
            new AttemptFailed(commandId, state.attempts(), error, timedOut, false, retryAt, now))
        .thenRun(s -> armTick(retryAt))
        .thenNoReply();
  }

  private ReplyEffect<CommandEvent, CommandState> cancel(Known state, Cancel cancel) {
    if (state.status().isFinal()) {
      return Effect()
          .reply(
              cancel.replyTo(),
              StatusReply.error(
                  "command " + commandId + " has finished already (" + state.status() + ")"));
    }
    String reason = cancel.reason() == null ? "cancelled on request" : cancel.reason();
    if (state.status() == CommandStatus.RUNNING) {
      if (state.cancelReason() != null) {
        return Effect().reply(cancel.replyTo(), StatusReply.success(state.view()));
      }
      return Effect()
          .persist(new CancelRequested(commandId, reason, Instant.now()))
          .thenRun(
              s -> {
                if (executor != null) {
                  executor.tell(new CancelAttempt(commandId, state.attempts()));
                }
              })
          .thenReply(cancel.replyTo(), CommandEntity::viewReply);
    }
    timers.cancel("tick");
    return Effect()
        .persist(cancelled(state, reason))
        .thenRun(this::afterFinish)
        .thenReply(cancel.replyTo(), CommandEntity::viewReply);
  }

  private ReplyEffect<CommandEvent, CommandState> finish(CommandEvent end) {
    timers.cancel("tick");
    return Effect().persist(end).thenRun(this::afterFinish).thenNoReply();
  }

  private Succeeded succeeded(Known state, AttemptOutcome outcome) {
    List<Child> children = new ArrayList<>();
    CommandSpec next = state.spec().onSuccess();
    if (next != null) {
      CommandSpec withInput = next.input() != null ? next : withInput(next, outcome.output());
      children.add(new Child(commandId + "-s", withInput));
    }
    return new Succeeded(commandId, outcome.attempt(), outcome.output(), children, Instant.now());
  }

  private Failed failed(Known state, CommandStatus end, String error) {
    List<Child> children = new ArrayList<>();
    if (state.spec().onFailure() != null) {
      children.add(new Child(commandId + "-f", state.spec().onFailure()));
    }
    return new Failed(commandId, end, error, children, Instant.now());
  }

  private Cancelled cancelled(Known state, String reason) {
    List<Child> children = new ArrayList<>();
    if (state.spec().onCancel() != null) {
      children.add(new Child(commandId + "-c", state.spec().onCancel()));
    }
    return new Cancelled(commandId, reason, children, Instant.now());
  }

  private static CommandSpec withInput(
      CommandSpec spec, com.fasterxml.jackson.databind.JsonNode input) {
    return new CommandSpec(
        spec.name(),
        input,
        spec.target(),
        spec.scheduledAt(),
        spec.timeout(),
        spec.retries(),
        spec.backoff(),
        spec.idempotencyKey(),
        spec.onSuccess(),
        spec.onFailure(),
        spec.onCancel());
  }

  /**
   * Submits the chained children, and keeps submitting each until it answers; after a restart again
   * (a submit of an existing id only answers it). The command leaves memory only once all its
   * children exist, so that no finished parent is forgotten without them.
   */
  private void afterFinish(CommandState state) {
    Known known = (Known) state;
    unconfirmedChildren.addAll(known.children());
    known.children().forEach(childId -> submitChild(known, childId));
    armIdle();
  }

  private void submitChild(Known known, String childId) {
    context.pipeToSelf(
        ClusterSharding.get(context.getSystem())
            .entityRefFor(ENTITY_TYPE_KEY, childId)
            .<CommandView>askWithStatus(
                replyTo -> new Submit(childSpec(known, childId), commandId, replyTo),
                settings.childSubmitTimeout()),
        (view, failure) -> new ChildSubmitted(childId, failure == null));
  }

  private ReplyEffect<CommandEvent, CommandState> childSubmitted(
      Known state, ChildSubmitted submitted) {
    if (submitted.ok()) {
      unconfirmedChildren.remove(submitted.childId());
    } else if (unconfirmedChildren.contains(submitted.childId())) {
      context
          .getLog()
          .warn("Child command {} did not answer; submitting it again", submitted.childId());
      submitChild(state, submitted.childId());
    }
    return Effect().noReply();
  }

  private ReplyEffect<CommandEvent, CommandState> idle(Known state) {
    if (state.status().isFinal() && unconfirmedChildren.isEmpty()) {
      return passivate();
    }
    if (state.status().isFinal()) {
      armIdle();
    }
    return Effect().noReply();
  }

  private static CommandSpec childSpec(Known known, String childId) {
    CommandSpec spec = known.spec();
    if (childId.endsWith("-s")) {
      return spec.onSuccess().input() != null
          ? spec.onSuccess()
          : withInput(spec.onSuccess(), known.output());
    }
    return childId.endsWith("-f") ? spec.onFailure() : spec.onCancel();
  }

  private boolean isCurrent(Known state, int attempt) {
    return state.status() == CommandStatus.RUNNING && state.attempts() == attempt;
  }

  private void endAttempt() {
    timers.cancel("attempt");
    timers.cancel("reattach");
    stopWatchingExecutor();
  }

  private void stopWatchingExecutor() {
    if (executor != null) {
      context.unwatch(executor);
      executor = null;
    }
  }

  private void armTick(Instant at) {
    Duration delay = Duration.between(Instant.now(), at);
    // Akka's scheduler refuses delays beyond ~248 days (and the entity would stop, its Submitted
    // persisted already); a far scheduledAt is reached in steps: tick() re-arms until it is due.
    delay = delay.compareTo(MAX_TICK_DELAY) > 0 ? MAX_TICK_DELAY : delay;
    timers.startSingleTimer("tick", Tick.INSTANCE, delay.isNegative() ? Duration.ZERO : delay);
  }

  private void armIdle() {
    timers.startSingleTimer("idle", Idle.INSTANCE, settings.idleAfterFinish());
  }

  private ReplyEffect<CommandEvent, CommandState> passivate() {
    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    return Effect().noReply();
  }

  private static ReplyEffect<CommandEvent, CommandState> reply(
      akka.persistence.typed.javadsl.EffectBuilder<CommandEvent, CommandState> effect,
      ActorRef<StatusReply<CommandView>> replyTo) {
    return replyTo == null
        ? effect.thenNoReply()
        : effect.thenReply(replyTo, CommandEntity::viewReply);
  }

  private static StatusReply<CommandView> viewReply(CommandState state) {
    return StatusReply.success(((Known) state).view());
  }

  private StatusReply<CommandView> unknown() {
    armIdle();
    return StatusReply.error("no command has the id " + commandId);
  }

  private String node(ActorRef<?> executor) {
    return executor.path().address().hasGlobalScope()
        ? executor.path().address().toString()
        : context.getSystem().address().toString();
  }

  @Override
  public EventHandler<CommandState, CommandEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(CommandState::apply);
  }

  @Override
  public SignalHandler<CommandState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::recovered)
        .build();
  }

  /** After a restart (a crash, a moved shard, a restarted cluster): carry on where it stood. */
  private void recovered(CommandState state) {
    if (!(state instanceof Known known)) {
      armIdle();
      return;
    }
    switch (known.status()) {
      case RUNNING -> reattach(known);
      case SCHEDULED -> armTick(known.spec().scheduledAt());
      case PENDING ->
          armTick(known.nextAttemptAt() == null ? Instant.now() : known.nextAttemptAt());
      default -> afterFinish(known);
    }
  }
}
