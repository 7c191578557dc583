package dev.orchestrator.scenario;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
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
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import dev.orchestrator.protocol.scenario.ScenarioCommand;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Acknowledge;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Admission;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Admit;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Define;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Get;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Mode;
import dev.orchestrator.protocol.scenario.ScenarioCommand.RunEnded;
import dev.orchestrator.protocol.scenario.ScenarioCommand.SetEnabled;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Source;
import dev.orchestrator.protocol.scenario.ScenarioEvent;
import dev.orchestrator.protocol.scenario.ScenarioEvent.Acknowledged;
import dev.orchestrator.protocol.scenario.ScenarioEvent.Defined;
import dev.orchestrator.protocol.scenario.ScenarioEvent.EnabledChanged;
import dev.orchestrator.protocol.scenario.ScenarioEvent.RunAdmitted;
import dev.orchestrator.protocol.scenario.ScenarioRunCommand;
import dev.orchestrator.protocol.scenario.ScenarioRunSpec;
import dev.orchestrator.protocol.scenario.ScenarioRunView;
import dev.orchestrator.protocol.scenario.ScenarioView;
import dev.orchestrator.scenario.ScenarioState.Known;
import dev.orchestrator.scenario.ScenarioState.Undefined;
import dev.orchestrator.singleton.Orchestrator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * One scenario: its versioned definition, whether it may run, and its runs. Sharded by name,
 * event-sourced, and remembered, so that after a crash it comes back by itself and starts again the
 * runs it admitted (a run that had started already just answers; one that had not starts).
 *
 * <p>Every run passes {@link Admit} here, which holds the per-scenario limits: the scenario must be
 * defined and enabled, not blocked after {@code max_executions} runs (until {@link Acknowledge}),
 * under {@code max_concurrent_executions}, and past its {@code cooldown} (automatic, event and
 * schedule runs only: an operator's or a parent run's request is not held back by a cooldown). A
 * refusal persists nothing. A run id already admitted is answered as admitted again.
 *
 * <p>Admissions and run ends that arrive while the entity writes are decided at once against the
 * state ahead (journaled plus still waiting, {@link PendingWrites}) and journaled together in the
 * next write; each is answered, and each admitted run launched, only once it is journaled.
 */
public final class ScenarioEntity
    extends EventSourcedBehaviorWithEnforcedReplies<ScenarioCommand, ScenarioEvent, ScenarioState> {

  /** Private: time to send every run under way its Start again (the watch). */
  enum Watch implements ScenarioCommand {
    INSTANCE
  }

  /** Private: what a run answered to its Start; nothing to do. */
  record Launched(String runId, boolean ok) implements ScenarioCommand {}

  /** Private: time to journal the admissions and ends decided since the last write, together. */
  enum Flush implements ScenarioCommand {
    INSTANCE
  }

  private final String name;
  private final ActorContext<ScenarioCommand> context;
  private final TimerScheduler<ScenarioCommand> timers;
  private final ClusterSharding sharding;
  private final Duration askTimeout;
  private final int snapshotEvery;
  private final ActorRef<Orchestrator.Command> orchestrator;

  private final Duration watchInterval;

  /** Admissions and ends decided but not journaled yet (see {@link PendingWrites}). */
  private final PendingWrites pending = new PendingWrites();

  /** A flush is on its way: what is decided until it arrives waits for it. */
  private boolean flushExpected;

  private ScenarioEntity(
      String name,
      ActorContext<ScenarioCommand> context,
      TimerScheduler<ScenarioCommand> timers,
      ScenarioSettings settings,
      ActorRef<Orchestrator.Command> orchestrator) {
    super(PersistenceId.of(ScenarioKeys.SCENARIO.name(), name));
    this.snapshotEvery = settings.snapshotEvery();
    this.watchInterval = settings.runWatchInterval();
    this.orchestrator = orchestrator;
    this.name = name;
    this.context = context;
    this.timers = timers;
    this.sharding = ClusterSharding.get(context.getSystem());
    this.askTimeout = settings.askTimeout();
  }

  public static Behavior<ScenarioCommand> create(
      String name, ScenarioSettings settings, ActorRef<Orchestrator.Command> orchestrator) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new ScenarioEntity(name, context, timers, settings, orchestrator)));
  }

  /** Registers the entity; definition changes are told to {@code orchestrator} at once. */
  public static void init(
      ActorSystem<?> system,
      ScenarioSettings settings,
      ActorRef<Orchestrator.Command> orchestrator) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    ScenarioKeys.SCENARIO, ctx -> create(ctx.getEntityId(), settings, orchestrator))
                .withSettings(ClusterShardingSettings.create(system).withRememberEntities(true)));
  }

  @Override
  public ScenarioState emptyState() {
    return new Undefined();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(snapshotEvery, 2);
  }

  @Override
  public Set<String> tagsFor(ScenarioEvent event) {
    return Set.of(ScenarioKeys.tagFor(name, ScenarioKeys.SCENARIO_TAGS));
  }

  @Override
  public CommandHandlerWithReply<ScenarioCommand, ScenarioEvent, ScenarioState> commandHandler() {
    CommandHandlerWithReplyBuilder<ScenarioCommand, ScenarioEvent, ScenarioState> builder =
        newCommandHandlerWithReplyBuilder();
    builder
        .forStateType(Undefined.class)
        .onCommand(Define.class, (s, c) -> define(null, c))
        .onCommand(SetEnabled.class, (s, c) -> unknown(c.replyTo()))
        .onCommand(Acknowledge.class, (s, c) -> unknown(c.replyTo()))
        .onCommand(Get.class, (s, c) -> unknown(c.replyTo()))
        .onCommand(RunEnded.class, (s, c) -> unknown(c.replyTo()))
        .onCommand(
            Admit.class,
            (s, c) ->
                Effect()
                    .reply(
                        c.replyTo(),
                        StatusReply.success(
                            refused(c, "unknown", "no scenario is named '" + name + "'"))))
        .onAnyCommand(c -> Effect().noReply());
    builder
        .forStateType(Known.class)
        .onCommand(Define.class, this::define)
        .onCommand(SetEnabled.class, this::setEnabled)
        .onCommand(Acknowledge.class, this::acknowledge)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), viewOf(s)))
        .onCommand(Admit.class, this::admit)
        .onCommand(RunEnded.class, this::runEnded)
        .onCommand(Watch.class, this::watch)
        .onCommand(Flush.class, (s, c) -> flush())
        .onCommand(Launched.class, (s, c) -> Effect().noReply());
    return builder.build();
  }

  private ReplyEffect<ScenarioEvent, ScenarioState> define(Known state, Define define) {
    Instant now = Instant.now();
    if (state != null) {
      if (define.source() == Source.BUILTIN && state.source() != Source.BUILTIN) {
        return Effect().reply(define.replyTo(), viewOf(state));
      }
      if (state.definition().equals(define.definition()) && state.source() == define.source()) {
        return Effect().reply(define.replyTo(), viewOf(state));
      }
    }
    long version = state == null ? 1 : state.version() + 1;
    return Effect()
        .persist(new Defined(name, define.definition(), define.source(), version, now))
        .thenRun(this::announce)
        .thenReply(define.replyTo(), s -> viewOf((Known) s));
  }

  private ReplyEffect<ScenarioEvent, ScenarioState> setEnabled(Known state, SetEnabled command) {
    if (state.enabled() == command.enabled()) {
      return Effect().reply(command.replyTo(), viewOf(state));
    }
    return Effect()
        .persist(new EnabledChanged(name, command.enabled(), Instant.now()))
        .thenRun(this::announce)
        .thenReply(command.replyTo(), s -> viewOf((Known) s));
  }

  private ReplyEffect<ScenarioEvent, ScenarioState> acknowledge(Known state, Acknowledge command) {
    return Effect()
        .persist(new Acknowledged(name, Instant.now()))
        .thenReply(command.replyTo(), s -> viewOf((Known) s));
  }

  /**
   * Decides on an admission against the journaled state and the admissions and ends still waiting
   * to be journaled; an admitted run is journaled with them at the next flush, then launched and
   * answered. A burst of admissions is one write instead of one write each.
   */
  private ReplyEffect<ScenarioEvent, ScenarioState> admit(Known journaled, Admit admit) {
    Instant now = Instant.now();
    Admission admitted = new Admission(admit.runId(), true, null, null);
    if (journaled.knows(admit.runId())) {
      return Effect().reply(admit.replyTo(), StatusReply.success(admitted));
    }
    Known state = pending.ahead(journaled);
    if (state.knows(admit.runId())) {
      return later(null, s -> admit.replyTo().tell(StatusReply.success(admitted)));
    }
    Admission refusal = refusal(state, admit, now);
    if (refusal != null) {
      return Effect().reply(admit.replyTo(), StatusReply.success(refusal));
    }
    ScenarioRunSpec spec =
        new ScenarioRunSpec(
            state.definition(),
            state.version(),
            admit.trigger(),
            admit.explanation(),
            admit.parentRunId(),
            admit.chain());
    return later(
        new RunAdmitted(name, admit.runId(), admit.mode(), spec, now),
        s -> {
          launch(admit.runId(), spec);
          armWatch();
          admit.replyTo().tell(StatusReply.success(admitted));
        });
  }

  /**
   * Journals {@code event} (may be null) and then does {@code after}: at once when the entity is
   * idle (no hop on the way from an event to its run); when it has just written, with whatever else
   * arrived meanwhile, at the flush it sent itself after that write.
   */
  private ReplyEffect<ScenarioEvent, ScenarioState> later(
      ScenarioEvent event, Consumer<ScenarioState> after) {
    pending.add(event, after);
    return flushExpected ? Effect().noReply() : write();
  }

  private ReplyEffect<ScenarioEvent, ScenarioState> flush() {
    flushExpected = false;
    return pending.isEmpty() ? Effect().noReply() : write();
  }

  /**
   * Journals what waits in one write, then does what each decision left for afterwards, and sends
   * itself a flush: what arrives while this write is under way (stashed, then handled before the
   * flush) goes into the next write together.
   */
  private ReplyEffect<ScenarioEvent, ScenarioState> write() {
    PendingWrites.Taken taken = pending.take();
    flushExpected = true;
    Consumer<ScenarioState> after =
        s -> {
          taken.after().accept(s);
          context.getSelf().tell(Flush.INSTANCE);
        };
    if (taken.events().isEmpty()) {
      return Effect().none().thenRun(after::accept).thenNoReply();
    }
    return Effect().persist(taken.events()).thenRun(after::accept).thenNoReply();
  }

  private Admission refusal(Known state, Admit admit, Instant now) {
    if (!state.enabled()) {
      return refused(admit, "disabled", "scenario '" + name + "' is disabled");
    }
    if (state.blocked()) {
      return refused(
          admit,
          "blocked",
          "scenario '"
              + name
              + "' ran "
              + state.executionsSinceAck()
              + " times (max_executions "
              + state.definition().maxExecutions()
              + "); acknowledge it to let it run again");
    }
    if (admit.mode() == Mode.NESTED && admit.chain().contains(name)) {
      List<String> cycle = new ArrayList<>(admit.chain());
      cycle.add(name);
      return refused(admit, "cycle", "nested runs form a cycle: " + String.join(" -> ", cycle));
    }
    if (state.running().size() >= state.definition().maxConcurrentExecutions()) {
      return refused(
          admit,
          "concurrency",
          "scenario '"
              + name
              + "' has "
              + state.running().size()
              + " run(s) under way (max_concurrent_executions "
              + state.definition().maxConcurrentExecutions()
              + ")");
    }
    boolean cooled = admit.mode() == Mode.MANUAL || admit.mode() == Mode.NESTED;
    Instant until = state.cooldownUntil(now);
    if (!cooled && until != null) {
      return refused(admit, "cooldown", "scenario '" + name + "' is cooling down until " + until);
    }
    return null;
  }

  private static Admission refused(Admit admit, String code, String reason) {
    return new Admission(admit.runId(), false, code, reason);
  }

  /** Records a run's end with the next flush, then answers (at once for an end known already). */
  private ReplyEffect<ScenarioEvent, ScenarioState> runEnded(Known journaled, RunEnded ended) {
    Known state = pending.ahead(journaled);
    if (!state.running().containsKey(ended.runId())) {
      if (pending.mentions(ended.runId())) {
        return later(null, s -> ended.replyTo().tell(viewOf((Known) s)));
      }
      return Effect().reply(ended.replyTo(), viewOf(journaled));
    }
    boolean nested = state.running().get(ended.runId()).parentRunId() != null;
    return later(
        new ScenarioEvent.RunEnded(name, ended.runId(), ended.status(), ended.at()),
        s -> {
          if (!nested) {
            orchestrator.tell(new Orchestrator.RunEnded(ended.runId()));
          }
          if (((Known) s).running().isEmpty()) {
            timers.cancel(Watch.INSTANCE);
          }
          ended.replyTo().tell(viewOf((Known) s));
        });
  }

  /**
   * Sends every run under way its Start again. Runs are not remembered entities (a remember write
   * on every start would slow each run down): this watch is what brings a run back after the node
   * it ran on died and its shard moved. A run that is alive just answers.
   */
  private ReplyEffect<ScenarioEvent, ScenarioState> watch(Known state, Watch watch) {
    if (state.running().isEmpty()) {
      timers.cancel(Watch.INSTANCE);
    }
    state.running().forEach(this::launch);
    return Effect().noReply();
  }

  private void armWatch() {
    if (!timers.isTimerActive(Watch.INSTANCE)) {
      timers.startTimerWithFixedDelay(Watch.INSTANCE, watchInterval);
    }
  }

  private void announce(ScenarioState state) {
    Known known = (Known) state;
    orchestrator.tell(new Orchestrator.DefinitionChanged(known.definition(), known.enabled()));
  }

  /** Asks the run entity to start; the run answers even if it had started (or ended) before. */
  private void launch(String runId, ScenarioRunSpec spec) {
    context.pipeToSelf(
        sharding
            .entityRefFor(ScenarioKeys.RUN, runId)
            .<ScenarioRunView>askWithStatus(
                replyTo -> new ScenarioRunCommand.Start(spec, replyTo), askTimeout),
        (view, failure) -> {
          if (failure != null) {
            context
                .getLog()
                .warn(
                    "Run {} of {} did not confirm its start: {}", runId, name, failure.toString());
          }
          return new Launched(runId, failure == null);
        });
  }

  private StatusReply<ScenarioView> viewOf(Known state) {
    return StatusReply.success(state.view(Instant.now()));
  }

  private ReplyEffect<ScenarioEvent, ScenarioState> unknown(
      ActorRef<? super StatusReply<ScenarioView>> replyTo) {
    return Effect().reply(replyTo, StatusReply.error("no scenario is named '" + name + "'"));
  }

  @Override
  public SignalHandler<ScenarioState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              if (state instanceof Known known && !known.running().isEmpty()) {
                known.running().forEach(this::launch);
                armWatch();
              }
            })
        .build();
  }

  @Override
  public EventHandler<ScenarioState, ScenarioEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(ScenarioState::apply);
  }
}
