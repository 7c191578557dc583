package dev.orchestrator.lifecycle;

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
import dev.orchestrator.lifecycle.LifecycleRunInternal.ChangedAll;
import dev.orchestrator.lifecycle.LifecycleRunInternal.Flush;
import dev.orchestrator.lifecycle.LifecycleRunInternal.Idle;
import dev.orchestrator.lifecycle.LifecycleRunInternal.Observed;
import dev.orchestrator.lifecycle.LifecycleRunInternal.ObservedAll;
import dev.orchestrator.lifecycle.LifecycleRunInternal.Poll;
import dev.orchestrator.lifecycle.LifecycleRunInternal.RunDeadline;
import dev.orchestrator.lifecycle.LifecycleRunInternal.SendResult;
import dev.orchestrator.lifecycle.LifecycleRunInternal.SentAll;
import dev.orchestrator.lifecycle.LifecycleRunInternal.StepDeadline;
import dev.orchestrator.lifecycle.LifecycleRunState.Empty;
import dev.orchestrator.lifecycle.LifecycleRunState.Run;
import dev.orchestrator.protocol.Durations;
import dev.orchestrator.protocol.component.ComponentFsm;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
import dev.orchestrator.protocol.lifecycle.LifecycleRunCommand;
import dev.orchestrator.protocol.lifecycle.LifecycleRunCommand.Get;
import dev.orchestrator.protocol.lifecycle.LifecycleRunCommand.Start;
import dev.orchestrator.protocol.lifecycle.LifecycleRunCommand.Wake;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.Failed;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.Finished;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.Outcomes;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.Reached;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.Sent;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.Skipped;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.Started;
import dev.orchestrator.protocol.lifecycle.LifecycleRunEvent.StepStarted;
import dev.orchestrator.protocol.lifecycle.LifecycleRunView;
import dev.orchestrator.protocol.lifecycle.LifecycleRunView.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * One lifecycle run: a command sent to many components, step by step in dependency order, each step
 * waiting until its components reached the state the command leads to. Sharded by run id,
 * event-sourced, in memory until it has finished (no automatic passivation); after a crash the
 * keeper of unfinished runs ({@link LifecycleRunReadSide}) starts it again and it goes on where it
 * stood (a component it had sent the command to is only watched again; one it had not is asked
 * again).
 *
 * <p>A component already in the state the command leads to counts as reached (for a stop, one
 * already STOPPED too); one whose state is not known yet or that is between two states is watched
 * until it rests. One whose state does not allow the command, that goes to FAULT, or that cannot be
 * read, fails. When a step's deadline passes, laggards get CMD_HARD_STOP where the FSM allows it (a
 * stop run's escalation) and one more step deadline; the others fail. At start-up (order {@code
 * dependencies}) a component whose dependency failed is skipped. When the run's deadline passes,
 * what is open fails and what was not begun is skipped.
 *
 * <p>The run watches the open components of its current step: their entities tell it each change at
 * once, and the changes that arrive together are decided on and persisted together. It also looks
 * at them itself, soon after each change of its own and then less often (up to {@link
 * #POLL_INTERVAL}), for the changes a watch cannot report (a component that cannot be read, an
 * entity that restarted and forgot its watchers).
 */
public final class LifecycleRunEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        LifecycleRunCommand, LifecycleRunEvent, LifecycleRunState> {

  public static final EntityTypeKey<LifecycleRunCommand> ENTITY_TYPE_KEY =
      EntityTypeKey.create(LifecycleRunCommand.class, "LifecycleRun");

  /** Run events are spread over these tags, for the event stream and later read sides. */
  public static final List<String> TAGS =
      IntStream.range(0, 4).mapToObj(i -> "lifecycle-" + i).toList();

  static final Duration POLL_INTERVAL = Duration.ofMillis(200);
  static final Duration FIRST_POLL = Duration.ofMillis(20);
  static final Duration IDLE_AFTER_FINISH = Duration.ofSeconds(30);
  private static final Set<LifecycleCommand> STOPS =
      EnumSet.of(LifecycleCommand.CMD_SOFT_STOP, LifecycleCommand.CMD_STOPPED);

  private final String runId;
  private final ActorContext<LifecycleRunCommand> context;
  private final TimerScheduler<LifecycleRunCommand> timers;
  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ComponentPort components;

  /** Components with a read or a send in flight, so that a poll does not ask twice. */
  private final Set<String> asking = new HashSet<>();

  /** Components that got CMD_HARD_STOP after the step deadline. */
  private final Set<String> escalated = new HashSet<>();

  /** The views watched components sent since the last {@link Flush}, the latest of each. */
  private final Map<String, ComponentView> pushed = new LinkedHashMap<>();

  private boolean flushPending;
  private final RunWatches watches;

  /** Where the watched components send their views; it hands them over in batches. */
  private final ActorRef<Object> batcher;

  /** Who waits for this run to finish ({@link AwaitEnd}). */
  private final EndWaiters endWaiters = new EndWaiters();

  private LifecycleRunEntity(
      String runId,
      ActorContext<LifecycleRunCommand> context,
      TimerScheduler<LifecycleRunCommand> timers,
      ActorRef<ClusterSharding.ShardCommand> shard,
      ComponentPort components) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), runId));
    this.runId = runId;
    this.context = context;
    this.timers = timers;
    this.shard = shard;
    this.components = components;
    this.batcher = context.spawnAnonymous(ChangeBatcher.create(context.getSelf().narrow()));
    this.watches = new RunWatches(components, batcher.narrow());
  }

  public static Behavior<LifecycleRunCommand> create(
      String runId, ActorRef<ClusterSharding.ShardCommand> shard, ComponentPort components) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new LifecycleRunEntity(runId, context, timers, shard, components)));
  }

  public static void init(ActorSystem<?> system, ComponentPort components) {
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), ctx.getShard(), components))
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
  }

  @Override
  public LifecycleRunState emptyState() {
    return new Empty();
  }

  @Override
  public Set<String> tagsFor(LifecycleRunEvent event) {
    return Set.of(tagFor(runId));
  }

  static String tagFor(String runId) {
    return TAGS.get(Math.floorMod(runId.hashCode(), TAGS.size()));
  }

  @Override
  public String snapshotPluginId() {
    return "akka.persistence.no-snapshot-store";
  }

  @Override
  public CommandHandlerWithReply<LifecycleRunCommand, LifecycleRunEvent, LifecycleRunState>
      commandHandler() {
    CommandHandlerWithReplyBuilder<LifecycleRunCommand, LifecycleRunEvent, LifecycleRunState>
        builder = newCommandHandlerWithReplyBuilder();
    builder
        .forStateType(Empty.class)
        .onCommand(Start.class, this::start)
        .onCommand(Get.class, (s, c) -> noSuchRun(c.replyTo()))
        .onCommand(AwaitEnd.class, (s, c) -> noSuchRun(c.replyTo()))
        .onCommand(Idle.class, (s, c) -> passivate())
        .onCommand(Wake.class, (s, c) -> EntityKeeper.answerWake(c.replyTo(), passivate()))
        .onCommand(ChangedAll.class, (s, c) -> taken())
        .onAnyCommand(c -> Effect().noReply());
    builder
        .forStateType(Run.class)
        .onCommand(
            Start.class, (s, c) -> Effect().reply(c.replyTo(), StatusReply.success(s.view())))
        .onCommand(Get.class, this::get)
        .onCommand(Wake.class, (s, c) -> EntityKeeper.answerWake(c.replyTo(), Effect().noReply()))
        .onCommand(AwaitEnd.class, this::awaitEnd)
        .onCommand(Poll.class, (s, c) -> poll(s))
        .onCommand(ObservedAll.class, this::observedAll)
        .onCommand(ChangedAll.class, this::changed)
        .onCommand(Flush.class, (s, c) -> flush(s))
        .onCommand(SentAll.class, this::sentAll)
        .onCommand(StepDeadline.class, this::stepDeadline)
        .onCommand(RunDeadline.class, (s, c) -> runDeadline(s))
        .onCommand(Idle.class, (s, c) -> s.finished() ? passivate() : Effect().noReply());
    return builder.build();
  }

  private ReplyEffect<LifecycleRunEvent, LifecycleRunState> start(Empty state, Start start) {
    List<String> problems = start.spec().problems();
    if (!problems.isEmpty()) {
      return Effect().reply(start.replyTo(), StatusReply.error(String.join("; ", problems)));
    }
    Instant now = Instant.now();
    List<LifecycleRunEvent> events = new ArrayList<>();
    events.add(new Started(runId, start.spec(), start.plan(), start.blockers(), now));
    Run first = (Run) state.apply(events.get(0));
    events.addAll(advance(first));
    Run run = first.applyAll(events.subList(1, events.size()));
    // The first step's components are read while Started is committed (their answers wait in the
    // stash until it is): the look after the commit finds them asked already.
    look(run);
    return Effect()
        .persist(compact(runId, events))
        .thenRun(this::kick)
        .thenReply(start.replyTo(), s -> StatusReply.success(((Run) s).view()));
  }

  private ReplyEffect<LifecycleRunEvent, LifecycleRunState> noSuchRun(
      ActorRef<StatusReply<LifecycleRunView>> replyTo) {
    armIdle();
    return Effect().reply(replyTo, StatusReply.error("no lifecycle run has the id " + runId));
  }

  /** Answers now if the run has finished; else when it finishes or the wait is up. */
  private ReplyEffect<LifecycleRunEvent, LifecycleRunState> awaitEnd(Run state, AwaitEnd await) {
    if (state.finished()) {
      armIdle();
      return Effect().reply(await.replyTo(), StatusReply.success(state.view()));
    }
    endWaiters.add(await);
    return Effect().noReply();
  }

  private ReplyEffect<LifecycleRunEvent, LifecycleRunState> get(Run state, Get get) {
    if (state.finished()) {
      armIdle();
    }
    return Effect().reply(get.replyTo(), StatusReply.success(state.view()));
  }

  /**
   * Looks at every open component of the current step at once; their answers come back together
   * (one message, so one persist for all of them rather than one commit per component).
   */
  private ReplyEffect<LifecycleRunEvent, LifecycleRunState> poll(Run state) {
    if (!state.finished()) {
      endWaiters.expire(state.view());
      armNextPoll();
      look(state);
    }
    return Effect().noReply();
  }

  /** Reads the open components of the current step that are not being read or sent to already. */
  private void look(Run state) {
    if (!state.finished()) {
      List<String> ids = new ArrayList<>();
      for (String id : state.current()) {
        if (state.isOpen(id) && asking.add(id)) {
          ids.add(id);
        }
      }
      if (!ids.isEmpty()) {
        pipeAll(ids.stream().map(this::observe).toList(), ObservedAll::new);
      }
    }
  }

  /** The component's view, or why it could not be read; never fails. */
  private CompletableFuture<Observed> observe(String id) {
    return components
        .view(id)
        .handle((view, failure) -> new Observed(id, view, failure == null ? null : reason(failure)))
        .toCompletableFuture();
  }

  private ReplyEffect<LifecycleRunEvent, LifecycleRunState> observedAll(
      Run state, ObservedAll batch) {
    batch.all().forEach(o -> asking.remove(o.componentId()));
    return decideAll(state, batch.all());
  }

  private ReplyEffect<LifecycleRunEvent, LifecycleRunState> taken() {
    batcher.tell(ChangeBatcher.TAKEN);
    return Effect().noReply();
  }

  /** Watched components changed: decided on with the others that arrive before the flush. */
  private ReplyEffect<LifecycleRunEvent, LifecycleRunState> changed(Run state, ChangedAll changed) {
    batcher.tell(ChangeBatcher.TAKEN);
    changed.views().forEach(view -> pushed.put(view.id(), view));
    if (!flushPending) {
      flushPending = true;
      context.getSelf().tell(Flush.INSTANCE);
    }
    return Effect().noReply();
  }

  private ReplyEffect<LifecycleRunEvent, LifecycleRunState> flush(Run state) {
    flushPending = false;
    List<Observed> seen = new ArrayList<>();
    for (ComponentView view : pushed.values()) {
      Outcome outcome = state.outcomes().get(view.id());
      // Not sent to yet, with a read or a send in flight: that answer decides (never send twice).
      if (outcome != null && !(outcome.status().equals("PENDING") && asking.contains(view.id()))) {
        seen.add(new Observed(view.id(), view, null));
      }
    }
    pushed.clear();
    return decideAll(state, seen);
  }

  /**
   * Decides on the observed components together: one persist, and the sends at once. A decision
   * reads its own component's outcome only (the outcomes decided so far in this batch, then the
   * state's), so the state after the batch is built once, not once per component.
   */
  private ReplyEffect<LifecycleRunEvent, LifecycleRunState> decideAll(
      Run state, List<Observed> observed) {
    if (state.finished()) {
      return Effect().noReply();
    }
    Set<String> current = new HashSet<>(state.current());
    Map<String, Outcome> decided = new HashMap<>();
    List<LifecycleRunEvent> events = new ArrayList<>();
    List<Observed> toSend = new ArrayList<>();
    for (Observed o : observed) {
      String id = o.componentId();
      if (!current.contains(id)) {
        continue;
      }
      Outcome outcome = decided.getOrDefault(id, state.outcomes().get(id));
      Decision decision = decide(state.spec().command(), outcome, o);
      if (decision.send()) {
        toSend.add(o);
      } else if (decision.event() != null) {
        events.add(decision.event());
        decided.put(id, Run.after(outcome, decision.event()));
      }
    }
    send(toSend, state.spec().command());
    return persistAll(state.applyAll(events), events);
  }

  /** What an observation means: an event to persist, the command to send, or nothing yet. */
  private record Decision(LifecycleRunEvent event, boolean send) {
    static final Decision WAIT = new Decision(null, false);
    static final Decision SEND = new Decision(null, true);

    static Decision of(LifecycleRunEvent event) {
      return new Decision(event, false);
    }
  }

  private Decision decide(LifecycleCommand command, Outcome outcome, Observed o) {
    Instant now = Instant.now();
    if (o.error() != null) {
      return Decision.of(new Failed(runId, o.componentId(), o.error(), now));
    }
    FsmState current = o.view().state();
    if (outcome.status().equals("SENT")) {
      FsmState expected = FsmState.valueOf(outcome.expected());
      if (current == expected) {
        return Decision.of(new Reached(runId, o.componentId(), current, false, now));
      }
      if (current == FsmState.FAULT) {
        return Decision.of(new Failed(runId, o.componentId(), faulted(o.view()), now));
      }
      return Decision.WAIT;
    }
    if (!outcome.status().equals("PENDING")) {
      return Decision.WAIT;
    }
    if (leadsTo(command).contains(current)
        || (STOPS.contains(command) && current == FsmState.STOPPED)) {
      // There already; or, for a stop, stopped further than asked.
      return Decision.of(new Reached(runId, o.componentId(), current, true, now));
    }
    if (ComponentFsm.isTransitional(current)
        && leadsTo(command).contains(ComponentFsm.restingTarget(current))) {
      // On its way already: sent by this run before a crash, or by someone else.
      return Decision.of(
          new Sent(
              runId, o.componentId(), command, current, ComponentFsm.restingTarget(current), now));
    }
    if (current == FsmState.UNKNOWN || ComponentFsm.isTransitional(current)) {
      // Not known yet, or on its way elsewhere: decide once it rests (or the step times out).
      return Decision.WAIT;
    }
    if (ComponentFsm.transition(current, command).isEmpty()) {
      return Decision.of(
          new Failed(
              runId,
              o.componentId(),
              "in state "
                  + current
                  + ", which allows "
                  + (ComponentFsm.allowed(current).isEmpty()
                      ? "no command"
                      : ComponentFsm.allowed(current).toString())
                  + ", not "
                  + command,
              now));
    }
    return Decision.SEND;
  }

  /** Sends {@code command} to the observed components; their answers come back together. */
  private void send(List<Observed> observed, LifecycleCommand command) {
    if (observed.isEmpty()) {
      return;
    }
    List<CompletableFuture<SendResult>> answers = new ArrayList<>();
    for (Observed o : observed) {
      asking.add(o.componentId());
      answers.add(
          components
              .lifecycle(o.componentId(), command)
              .handle(
                  (view, failure) ->
                      new SendResult(
                          o.componentId(),
                          command,
                          o.view(),
                          failure == null ? null : reason(failure)))
              .toCompletableFuture());
    }
    pipeAll(answers, SentAll::new);
  }

  private ReplyEffect<LifecycleRunEvent, LifecycleRunState> sentAll(Run state, SentAll batch) {
    Set<String> recorded = new HashSet<>();
    List<LifecycleRunEvent> events = new ArrayList<>();
    for (SendResult r : batch.all()) {
      asking.remove(r.componentId());
      if (state.finished() || !state.isOpen(r.componentId()) || !recorded.add(r.componentId())) {
        continue;
      }
      Instant now = Instant.now();
      LifecycleRunEvent event;
      if (r.error() != null) {
        String what = escalated.contains(r.componentId()) ? "hard stop refused: " : "";
        event = new Failed(runId, r.componentId(), what + r.error(), now);
      } else {
        FsmState from = r.before().state();
        FsmState expected =
            ComponentFsm.transition(from, r.command()).map(t -> t.to()).orElse(FsmState.STOPPED);
        event = new Sent(runId, r.componentId(), r.command(), from, expected, now);
      }
      events.add(event);
    }
    return persistAll(state.applyAll(events), events);
  }

  private ReplyEffect<LifecycleRunEvent, LifecycleRunState> stepDeadline(
      Run state, StepDeadline deadline) {
    if (state.finished() || state.step() != deadline.step()) {
      return Effect().noReply();
    }
    Instant now = Instant.now();
    List<String> laggards = state.current().stream().filter(state::isOpen).toList();
    if (!deadline.escalated() && STOPS.contains(state.spec().command())) {
      // Each answer set comes back as one message: one per laggard would be thousands of
      // commands that persist nothing, stashed while the run persists (see ChangeBatcher).
      List<CompletableFuture<Observed>> views = new ArrayList<>();
      List<CompletableFuture<SendResult>> stops = new ArrayList<>();
      for (String id : laggards) {
        escalated.add(id);
        views.add(observe(id));
        stops.add(
            components
                .lifecycle(id, LifecycleCommand.CMD_HARD_STOP)
                .handle(
                    (view, failure) ->
                        new SendResult(
                            id,
                            LifecycleCommand.CMD_HARD_STOP,
                            view,
                            failure == null ? null : reason(failure)))
                .toCompletableFuture());
      }
      pipeAll(views, ObservedAll::new);
      pipeAll(stops, SentAll::new);
      timers.startSingleTimer(
          "step", new StepDeadline(deadline.step(), true), state.spec().stepTimeout());
      return Effect().noReply();
    }
    List<LifecycleRunEvent> events = new ArrayList<>();
    for (String id : laggards) {
      events.add(
          new Failed(
              runId,
              id,
              "did not reach "
                  + expectedOf(state, id)
                  + " within the step deadline of "
                  + Durations.format(state.spec().stepTimeout())
                  + (deadline.escalated() ? " (after a hard stop)" : ""),
              now));
    }
    return persistAll(state.applyAll(events), events);
  }

  /**
   * Tells this run {@code batch} of all the {@code answers} once all of them are in (each answer
   * carries its own failure, so none fails).
   */
  private <T> void pipeAll(
      List<CompletableFuture<T>> answers, Function<List<T>, LifecycleRunCommand> batch) {
    if (!answers.isEmpty()) {
      context.pipeToSelf(
          CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
              .thenApply(done -> answers.stream().map(CompletableFuture::join).toList()),
          (all, failure) -> batch.apply(all));
    }
  }

  private ReplyEffect<LifecycleRunEvent, LifecycleRunState> runDeadline(Run state) {
    if (state.finished()) {
      return Effect().noReply();
    }
    Instant now = Instant.now();
    List<LifecycleRunEvent> events = new ArrayList<>();
    Set<String> current = new HashSet<>(state.current());
    for (String id : state.outcomes().keySet()) {
      if (state.isOpen(id)) {
        boolean begun = current.contains(id);
        String why =
            "the run's deadline of " + Durations.format(state.spec().timeout()) + " passed";
        events.add(begun ? new Failed(runId, id, why, now) : new Skipped(runId, id, why, now));
      }
    }
    events.add(new Finished(runId, "TIMED_OUT", now));
    return Effect().persist(compact(runId, events)).thenRun(this::kick).thenNoReply();
  }

  /**
   * Persists {@code events} and whatever follows from them (next steps, skips, the end); {@code
   * after} is the state with {@code events} applied, which the callers have built already.
   */
  private ReplyEffect<LifecycleRunEvent, LifecycleRunState> persistAll(
      Run after, List<LifecycleRunEvent> events) {
    if (events.isEmpty()) {
      return Effect().noReply();
    }
    List<LifecycleRunEvent> all = new ArrayList<>(events);
    all.addAll(advance(after));
    return Effect().persist(compact(runId, all)).thenRun(this::kick).thenNoReply();
  }

  /**
   * {@code events} as they are journaled: each stretch of component events (sent, reached, failed,
   * skipped) that names no component twice becomes one {@link Outcomes}, one journal row for the
   * wave instead of one per component; a lone one, and the run's own events, stay as they are.
   * Applying the result gives the same state as applying {@code events}.
   */
  static List<LifecycleRunEvent> compact(String runId, List<LifecycleRunEvent> events) {
    List<LifecycleRunEvent> journaled = new ArrayList<>();
    List<LifecycleRunEvent> stretch = new ArrayList<>();
    Set<String> named = new HashSet<>();
    for (LifecycleRunEvent event : events) {
      String component = LifecycleRunState.componentOf(event);
      if (component == null || !named.add(component)) {
        closeStretch(runId, stretch, journaled);
        named.clear();
        if (component != null) {
          named.add(component);
        }
      }
      if (component == null) {
        journaled.add(event);
      } else {
        stretch.add(event);
      }
    }
    closeStretch(runId, stretch, journaled);
    return journaled;
  }

  private static void closeStretch(
      String runId, List<LifecycleRunEvent> stretch, List<LifecycleRunEvent> journaled) {
    if (stretch.size() == 1) {
      journaled.add(stretch.get(0));
    } else if (!stretch.isEmpty()) {
      Instant at = stretch.stream().map(LifecycleRunEvent::at).max(Instant::compareTo).get();
      journaled.add(
          new Outcomes(
              runId,
              ofType(stretch, Sent.class),
              ofType(stretch, Reached.class),
              ofType(stretch, Failed.class),
              ofType(stretch, Skipped.class),
              at));
    }
    stretch.clear();
  }

  private static <T> List<T> ofType(List<LifecycleRunEvent> events, Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /**
   * The events that follow once the current step has nothing open: the next step (skipping the
   * components whose dependencies failed), repeatedly, or the end of the run.
   */
  private List<LifecycleRunEvent> advance(Run run) {
    List<LifecycleRunEvent> events = new ArrayList<>();
    Instant now = Instant.now();
    while (!run.finished() && run.current().stream().noneMatch(run::isOpen)) {
      int next = run.step() + 1;
      LifecycleRunEvent event;
      if (next >= run.plan().size()) {
        boolean allReached =
            run.outcomes().values().stream().allMatch(o -> o.status().equals("REACHED"));
        event = new Finished(runId, allReached ? "SUCCEEDED" : "FAILED", now);
      } else {
        event = new StepStarted(runId, next, now);
      }
      events.add(event);
      run = (Run) run.apply(event);
      if (event instanceof StepStarted) {
        // The step's skips are applied together; the ones made so far count as SKIPPED already.
        List<LifecycleRunEvent> skips = new ArrayList<>();
        Set<String> skipped = new HashSet<>();
        for (String id : run.current()) {
          for (String blocker : run.blockers().getOrDefault(id, List.of())) {
            String status =
                skipped.contains(blocker) ? "SKIPPED" : run.outcomes().get(blocker).status();
            if (run.isOpen(id) && (status.equals("FAILED") || status.equals("SKIPPED"))) {
              skips.add(new Skipped(runId, id, "its dependency " + blocker + " " + status, now));
              skipped.add(id);
              break;
            }
          }
        }
        events.addAll(skips);
        run = run.applyAll(skips);
      }
    }
    return events;
  }

  /** After any change, and after recovery: timers for the current step, and a look at it now. */
  private void kick(LifecycleRunState state) {
    if (!(state instanceof Run run)) {
      return;
    }
    if (run.finished()) {
      endWaiters.answerAll(run.view());
      watches.stop();
      timers.cancel("poll");
      timers.cancel("step");
      timers.cancel("run");
      armIdle();
      return;
    }
    if (!timers.isTimerActive("run")) {
      timers.startSingleTimer(
          "run", RunDeadline.INSTANCE, remaining(run.startedAt(), run.spec().timeout()));
    }
    // After each change, look soon and then less and less often (up to POLL_INTERVAL).
    pollPause = FIRST_POLL;
    timers.startSingleTimer("poll", Poll.INSTANCE, pollPause);
    if (!timers.isTimerActive("step") || stepChanged(run)) {
      timers.startSingleTimer(
          "step",
          new StepDeadline(run.step(), false),
          remaining(run.stepStartedAt(), run.spec().stepTimeout()));
      armedStep = run.step();
    }
    context.getSelf().tell(Poll.INSTANCE);
    // After the look: a new step's components are read and sent to together by the look, and
    // what their watches answer meanwhile waits for it (never a second send).
    watches.follow(run);
  }

  private int armedStep = -1;

  /**
   * The pause before the next look: doubling from FIRST_POLL after a change, up to the interval.
   */
  private Duration pollPause = FIRST_POLL;

  private void armNextPoll() {
    Duration doubled = pollPause.multipliedBy(2);
    pollPause = doubled.compareTo(POLL_INTERVAL) < 0 ? doubled : POLL_INTERVAL;
    timers.startSingleTimer("poll", Poll.INSTANCE, pollPause);
  }

  private boolean stepChanged(Run run) {
    return armedStep != run.step();
  }

  private static Duration remaining(Instant from, Duration total) {
    Duration left = Duration.between(Instant.now(), from.plus(total));
    return left.isNegative() ? Duration.ZERO : left;
  }

  private static Set<FsmState> leadsTo(LifecycleCommand command) {
    Set<FsmState> targets = EnumSet.noneOf(FsmState.class);
    ComponentFsm.TABLE.stream()
        .filter(t -> t.command() == command)
        .forEach(t -> targets.add(t.to()));
    return targets;
  }

  private static String expectedOf(Run run, String id) {
    String expected = run.outcomes().get(id).expected();
    return expected != null
        ? expected
        : leadsTo(run.spec().command()).stream().map(Enum::name).sorted().toList().toString();
  }

  private static String faulted(ComponentView view) {
    return "went to FAULT" + (view.error() == null ? "" : ": " + view.error());
  }

  private static String reason(Throwable failure) {
    Throwable t = failure;
    while (t.getCause() != null && t.getMessage() == null) {
      t = t.getCause();
    }
    return t instanceof StatusReply.ErrorMessage || t.getMessage() != null
        ? t.getMessage()
        : t.getClass().getSimpleName();
  }

  private void armIdle() {
    timers.startSingleTimer("idle", Idle.INSTANCE, IDLE_AFTER_FINISH);
  }

  private ReplyEffect<LifecycleRunEvent, LifecycleRunState> passivate() {
    shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    return Effect().noReply();
  }

  @Override
  public EventHandler<LifecycleRunState, LifecycleRunEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(LifecycleRunState::apply);
  }

  @Override
  public SignalHandler<LifecycleRunState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), this::recovered)
        .build();
  }

  private void recovered(LifecycleRunState state) {
    if (state instanceof Run) {
      kick(state);
    } else {
      armIdle();
    }
  }

  /** The report of a run, for callers that only have the state. */
  static LifecycleRunView view(LifecycleRunState state) {
    return ((Run) state).view();
  }
}
