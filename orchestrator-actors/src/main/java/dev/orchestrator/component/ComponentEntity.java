package dev.orchestrator.component;

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
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
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
import dev.orchestrator.cluster.EntityKeeper;
import dev.orchestrator.component.ComponentInternal.ChangeAnnounced;
import dev.orchestrator.component.ComponentInternal.HealthChecked;
import dev.orchestrator.component.ComponentInternal.PollTick;
import dev.orchestrator.component.ComponentInternal.Polled;
import dev.orchestrator.component.ComponentInternal.Sent;
import dev.orchestrator.component.ComponentState.Active;
import dev.orchestrator.component.ComponentState.Unregistered;
import dev.orchestrator.protocol.component.BreakerState;
import dev.orchestrator.protocol.component.ComponentCommand;
import dev.orchestrator.protocol.component.ComponentCommand.Deregister;
import dev.orchestrator.protocol.component.ComponentCommand.Get;
import dev.orchestrator.protocol.component.ComponentCommand.GetHistory;
import dev.orchestrator.protocol.component.ComponentCommand.Lifecycle;
import dev.orchestrator.protocol.component.ComponentCommand.Register;
import dev.orchestrator.protocol.component.ComponentCommand.Simulate;
import dev.orchestrator.protocol.component.ComponentCommand.Unwatch;
import dev.orchestrator.protocol.component.ComponentCommand.Wake;
import dev.orchestrator.protocol.component.ComponentCommand.Watch;
import dev.orchestrator.protocol.component.ComponentEvent;
import dev.orchestrator.protocol.component.ComponentEvent.BreakerHalfOpened;
import dev.orchestrator.protocol.component.ComponentEvent.Deregistered;
import dev.orchestrator.protocol.component.ComponentEvent.FaultInjected;
import dev.orchestrator.protocol.component.ComponentEvent.HealthChanged;
import dev.orchestrator.protocol.component.ComponentEvent.LifecycleRequested;
import dev.orchestrator.protocol.component.ComponentEvent.Registered;
import dev.orchestrator.protocol.component.ComponentEvent.SpecChanged;
import dev.orchestrator.protocol.component.ComponentEvent.StaleEpochRefused;
import dev.orchestrator.protocol.component.ComponentFsm;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.LifecycleCommand;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * One registered component, sharded by its id, event-sourced. Not remembered by sharding and never
 * passivated while registered: the {@link ComponentKeeper} starts the registered components that no
 * node runs (after a restart, a crash, a handed-over shard), so that each is polled.
 *
 * <p>Registration: {@link Unregistered} --Register--> {@link Active} --Register (changed spec)-->
 * {@link Active} --Deregister--> {@link Unregistered}. Lifecycle: a command the FSM allows from the
 * observed state is journaled (LifecycleRequested, its target becomes the desired state) and handed
 * to the driver; a forbidden one is refused with the state and the allowed commands, and persists
 * nothing. The entity polls its driver every {@code pollInterval} and journals only changes: the
 * observed state (StateChanged, Faulted), health, reachability (Unreachable after {@code
 * unreachable-after-missed-polls} failed polls in a row, Recovered) and its circuit breaker (CLOSED
 * --N failures in a row--> OPEN --backoff over--> HALF_OPEN --probe answered--> CLOSED, or OPEN
 * again with twice the backoff). Fencing: a lifecycle command whose epoch is older than the highest
 * known (of accepted commands, or this node's {@link Epochs#newest}) is refused and journaled as
 * StaleEpochRefused; every driver call carries the epoch of this node's commands ({@link
 * Epochs#current}, or a higher one the component accepted).
 *
 * <p>Watchers ({@link Watch}, a lifecycle run waiting for its components) hear of every change it
 * observes as soon as it starts to journal it (not after the commit). A driver that can tell of a
 * change by itself (the simulated component when a transition ends) makes the entity poll at once
 * instead of at its next poll.
 */
public final class ComponentEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        ComponentCommand, ComponentEvent, ComponentState> {

  public static final EntityTypeKey<ComponentCommand> ENTITY_TYPE_KEY =
      EntityTypeKey.create(ComponentCommand.class, "Component");

  /** Events are spread over these tags so that the read side can fold them in parallel. */
  public static final List<String> TAGS =
      IntStream.range(0, 4).mapToObj(i -> "component-" + i).toList();

  private final String componentId;
  private final String tag;
  private final ActorContext<ComponentCommand> context;

  private final ActorRef<ClusterSharding.ShardCommand> shard;
  private final ComponentSettings settings;

  private final DriverSession driver;
  private final Observer observer;
  private final Watchers watchers = new Watchers();

  private ComponentEntity(
      String componentId,
      ActorContext<ComponentCommand> context,
      TimerScheduler<ComponentCommand> timers,
      ActorRef<ClusterSharding.ShardCommand> shard,
      ComponentSettings settings) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), componentId));
    this.componentId = componentId;
    this.tag = tagFor(componentId);
    this.context = context;
    this.shard = shard;
    this.settings = settings;
    this.observer = new Observer(componentId, settings);
    this.driver = new DriverSession(componentId, context, timers, settings);
  }

  /** An entity outside sharding (tests): it cannot passivate itself. */
  public static Behavior<ComponentCommand> create(String componentId) {
    return Behaviors.setup(
        context -> create(componentId, null, ComponentSettings.of(context.getSystem())));
  }

  public static Behavior<ComponentCommand> create(
      String componentId,
      ActorRef<ClusterSharding.ShardCommand> shard,
      ComponentSettings settings) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new ComponentEntity(componentId, context, timers, shard, settings)));
  }

  public static void init(ActorSystem<?> system) {
    // Read once: parsing them for each new component showed in the registrations' profile.
    ComponentSettings settings = ComponentSettings.of(system);
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), ctx.getShard(), settings))
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy())
                .withRole("worker"));
  }

  static String tagFor(String componentId) {
    return TAGS.get(Math.floorMod(componentId.hashCode(), TAGS.size()));
  }

  @Override
  public ComponentState emptyState() {
    return new Unregistered();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2);
  }

  @Override
  public Set<String> tagsFor(ComponentEvent event) {
    return Set.of(tag);
  }

  @Override
  public CommandHandlerWithReply<ComponentCommand, ComponentEvent, ComponentState>
      commandHandler() {
    CommandHandlerWithReplyBuilder<ComponentCommand, ComponentEvent, ComponentState> builder =
        newCommandHandlerWithReplyBuilder();
    builder
        .forStateType(Unregistered.class)
        .onCommand(Register.class, (state, command) -> register(command))
        .onCommand(Get.class, (state, command) -> notRegistered(command.replyTo()))
        .onCommand(GetHistory.class, (state, command) -> notRegistered(command.replyTo()))
        .onCommand(Deregister.class, (state, command) -> notRegistered(command.replyTo()))
        .onCommand(Lifecycle.class, (state, command) -> notRegistered(command.replyTo()))
        .onCommand(Simulate.class, (state, command) -> notRegistered(command.replyTo()))
        .onCommand(Watch.class, (state, command) -> leaveMemoryNoReply())
        .onCommand(Unwatch.class, (state, command) -> leaveMemoryNoReply())
        .onCommand(
            Wake.class,
            (state, command) -> EntityKeeper.answerWake(command.replyTo(), leaveMemoryNoReply()))
        .onAnyCommand(command -> Effect().noReply());
    builder
        .forStateType(Active.class)
        .onCommand(Register.class, this::update)
        .onCommand(Get.class, (state, command) -> Effect().reply(command.replyTo(), view(state)))
        .onCommand(
            GetHistory.class,
            (state, command) ->
                Effect().reply(command.replyTo(), StatusReply.success(state.history())))
        .onCommand(Deregister.class, (state, command) -> deregister(command))
        .onCommand(Lifecycle.class, this::lifecycle)
        .onCommand(Simulate.class, this::simulate)
        .onCommand(Watch.class, this::watch)
        .onCommand(
            Unwatch.class,
            (state, command) -> {
              watchers.remove(command.watcher());
              return Effect().noReply();
            })
        .onCommand(
            Wake.class,
            (state, command) -> EntityKeeper.answerWake(command.replyTo(), Effect().noReply()))
        .onCommand(PollTick.class, (state, command) -> tick(state))
        .onCommand(ChangeAnnounced.class, this::changeAnnounced)
        .onCommand(Polled.class, this::polled)
        .onCommand(HealthChecked.class, this::healthChecked)
        .onCommand(Sent.class, this::sent);
    return builder.build();
  }

  private ReplyEffect<ComponentEvent, ComponentState> register(Register command) {
    List<String> problems = command.spec().problems(componentId);
    if (!problems.isEmpty()) {
      leaveMemory();
      return Effect().reply(command.replyTo(), StatusReply.error(String.join("; ", problems)));
    }
    return Effect()
        .persist(new Registered(componentId, command.spec(), Instant.now()))
        .thenRun(state -> startDriver((Active) state))
        .thenReply(command.replyTo(), this::view);
  }

  private ReplyEffect<ComponentEvent, ComponentState> update(Active state, Register command) {
    List<String> problems = command.spec().problems(componentId);
    if (!problems.isEmpty()) {
      return Effect().reply(command.replyTo(), StatusReply.error(String.join("; ", problems)));
    }
    if (state.spec().equals(command.spec())) {
      return Effect().reply(command.replyTo(), view(state));
    }
    return Effect()
        .persist(new SpecChanged(componentId, command.spec(), Instant.now()))
        .thenRun(next -> startDriver((Active) next))
        .thenReply(command.replyTo(), this::view);
  }

  private ReplyEffect<ComponentEvent, ComponentState> deregister(Deregister command) {
    return Effect()
        .persist(new Deregistered(componentId, Instant.now()))
        .thenRun(
            state -> {
              stopDriver();
              leaveMemory();
            })
        .thenReply(command.replyTo(), state -> StatusReply.ack());
  }

  private ReplyEffect<ComponentEvent, ComponentState> lifecycle(Active state, Lifecycle command) {
    LifecycleCommand cmd = command.command();
    long known = knownEpoch(state);
    if (command.epoch() != null && command.epoch() < known) {
      String reason = Refusals.staleEpoch(componentId, cmd, command.epoch(), known);
      context.getLog().warn(reason);
      return Effect()
          .persist(new StaleEpochRefused(componentId, cmd, command.epoch(), known, Instant.now()))
          .thenReply(command.replyTo(), next -> StatusReply.error(reason));
    }
    if (state.breaker() == BreakerState.OPEN) {
      return Effect()
          .reply(
              command.replyTo(),
              StatusReply.error(Refusals.breakerOpen(componentId, cmd, state.breakerRetryAt())));
    }
    var transition = ComponentFsm.transition(state.state(), cmd);
    if (transition.isEmpty()) {
      return Effect()
          .reply(
              command.replyTo(),
              StatusReply.error(Refusals.forbidden(componentId, state.state(), cmd)));
    }
    LifecycleRequested requested =
        new LifecycleRequested(
            componentId,
            cmd,
            transition.get().via(),
            transition.get().to(),
            Instant.now(),
            command.epoch());
    long sendEpoch = command.epoch() == null ? callEpoch(state) : command.epoch();
    return Effect()
        .persist(requested)
        .thenRun(next -> driver.send(cmd, sendEpoch))
        .thenReply(command.replyTo(), this::view);
  }

  /**
   * The highest fencing epoch known here: of the commands the component accepted, or the newest
   * this node knows of the singleton's lease. A command older than this is refused.
   */
  private long knownEpoch(Active state) {
    return Math.max(state.fencing().highestEpoch(), Epochs.newest(context.getSystem()));
  }

  /**
   * The epoch this entity's own driver calls carry: the one this node's commands carry (its epoch
   * before a pause, while it is suspect), or a higher one the component accepted.
   */
  private long callEpoch(Active state) {
    return Math.max(state.fencing().highestEpoch(), Epochs.current(context.getSystem()));
  }

  private ReplyEffect<ComponentEvent, ComponentState> simulate(Active state, Simulate command) {
    if (!"simulated".equals(state.spec().driver())) {
      return Effect()
          .reply(
              command.replyTo(),
              StatusReply.error(Refusals.notSimulated(componentId, state.spec().driver())));
    }
    if (state.fault() == command.fault()) {
      return Effect().reply(command.replyTo(), view(state));
    }
    return Effect()
        .persist(new FaultInjected(componentId, command.fault(), Instant.now()))
        .thenRun(next -> driver.inject(command.fault()))
        .thenReply(command.replyTo(), this::view);
  }

  /** Tells the watcher the view now (so that no change falls between its look and the watch). */
  private ReplyEffect<ComponentEvent, ComponentState> watch(Active state, Watch command) {
    watchers.add(command.watcher(), command.duration(), Instant.now());
    command.watcher().tell(currentView(state));
    return Effect().noReply();
  }

  private ReplyEffect<ComponentEvent, ComponentState> changeAnnounced(
      Active state, ChangeAnnounced announced) {
    if (!driver.current(announced.driverGeneration())
        || state.breaker() == BreakerState.OPEN // held back until the breaker's probe
        || !driver.pollNowOnAnnouncement()) {
      return Effect().noReply();
    }
    return tick(state);
  }

  private ReplyEffect<ComponentEvent, ComponentState> tick(Active state) {
    if (!driver.canPoll()) {
      return Effect().noReply();
    }
    if (state.breaker() == BreakerState.OPEN) {
      Duration wait = Duration.between(Instant.now(), state.breakerRetryAt());
      if (wait.isNegative() || wait.isZero()) {
        return Effect()
            .persist(new BreakerHalfOpened(componentId, Instant.now()))
            .thenRun(next -> poll((Active) next))
            .thenNoReply();
      }
      Duration interval = state.spec().pollInterval();
      driver.armPoll(wait.compareTo(interval) < 0 ? wait : interval);
      return journal(state, observer.heldBack(state, Instant.now()));
    }
    poll(state);
    return Effect().noReply();
  }

  private void poll(Active state) {
    driver.poll(callEpoch(state), state.breaker() == BreakerState.CLOSED);
  }

  private ReplyEffect<ComponentEvent, ComponentState> polled(Active state, Polled polled) {
    if (!driver.current(polled.driverGeneration())) {
      return Effect().noReply();
    }
    driver.answered(state.spec().pollInterval());
    Instant now = Instant.now();
    return journal(
        state,
        polled.observation() != null
            ? observer.answered(state, polled.observation(), now)
            : observer.failed(state, polled.failure(), true, now));
  }

  private ReplyEffect<ComponentEvent, ComponentState> sent(Active state, Sent sent) {
    if (!driver.current(sent.driverGeneration())) {
      return Effect().noReply();
    }
    if (sent.failure() == null) {
      return Effect().noReply();
    }
    context
        .getLog()
        .warn("{} could not be sent to {}: {}", sent.command(), componentId, sent.failure());
    return journal(state, observer.failed(state, sent.failure(), false, Instant.now()));
  }

  private ReplyEffect<ComponentEvent, ComponentState> healthChecked(
      Active state, HealthChecked checked) {
    if (!driver.current(checked.driverGeneration())
        || checked.health() == null
        || checked.health().equals(state.health())) {
      return Effect().noReply();
    }
    return Effect()
        .persist(new HealthChanged(componentId, checked.health(), Instant.now()))
        .thenNoReply();
  }

  /**
   * Persists {@code events} (observations of the component), if any, and tells the watchers the
   * view after them while they are being written: what a watcher (a lifecycle run) learns is what
   * the component reported, which stays true whether or not this write succeeds (if it fails, the
   * entity restarts and observes the component again), so the watcher need not wait for the commit.
   */
  private ReplyEffect<ComponentEvent, ComponentState> journal(
      Active state, List<ComponentEvent> events) {
    if (events.isEmpty()) {
      return Effect().noReply();
    }
    if (watchers.any(Instant.now())) {
      ComponentState next = state;
      for (ComponentEvent event : events) {
        next = next.apply(event, settings.historySize());
      }
      if (next instanceof Active active) {
        watchers.tell(currentView(active));
      }
    }
    return Effect().persist(events).thenNoReply();
  }

  private void startDriver(Active state) {
    observer.reset();
    driver.start(state);
  }

  private void stopDriver() {
    driver.stop();
    observer.reset();
  }

  /**
   * Refuses a request to a component that is not registered. The entity then leaves memory: it was
   * started only to answer this (and is never passivated otherwise).
   */
  private <T> ReplyEffect<ComponentEvent, ComponentState> notRegistered(
      ActorRef<StatusReply<T>> replyTo) {
    leaveMemory();
    return Effect().reply(replyTo, StatusReply.error(Refusals.notRegistered(componentId)));
  }

  /** A watch for a component that is not registered: nothing to watch, and nothing to keep. */
  private ReplyEffect<ComponentEvent, ComponentState> leaveMemoryNoReply() {
    leaveMemory();
    return Effect().noReply();
  }

  /** Passivates the entity. */
  private void leaveMemory() {
    if (shard != null) {
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
    }
  }

  /** The view with the newest lastSeen (polls that changed nothing are not journaled). */
  private StatusReply<ComponentView> view(ComponentState state) {
    return StatusReply.success(currentView((Active) state));
  }

  private ComponentView currentView(Active state) {
    ComponentView view = state.view();
    Instant lastSeen = observer.lastSeen();
    if (lastSeen != null && (view.lastSeen() == null || lastSeen.isAfter(view.lastSeen()))) {
      view = view.withLastSeen(lastSeen);
    }
    return view;
  }

  @Override
  public EventHandler<ComponentState, ComponentEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onAnyEvent((state, event) -> state.apply(event, settings.historySize()));
  }

  @Override
  public SignalHandler<ComponentState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              if (state instanceof Active active) {
                startDriver(active);
              }
            })
        .onSignal(PostStop.instance(), state -> stopDriver())
        .build();
  }
}
