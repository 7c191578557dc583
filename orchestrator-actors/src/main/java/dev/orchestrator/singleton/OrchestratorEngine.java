package dev.orchestrator.singleton;

import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.pattern.StatusReply;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.Effect;
import akka.persistence.typed.javadsl.EffectBuilder;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import dev.orchestrator.protocol.scenario.RunTrigger;
import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Admission;
import dev.orchestrator.protocol.scenario.ScenarioCommand.Mode;
import dev.orchestrator.scenario.ScenarioFiles;
import dev.orchestrator.scenario.ScenarioSettings;
import dev.orchestrator.singleton.Orchestrator.Ingest;
import dev.orchestrator.singleton.Orchestrator.Ingested;
import dev.orchestrator.singleton.Orchestrator.RunManually;
import dev.orchestrator.singleton.Orchestrator.WhereAreYou;
import dev.orchestrator.singleton.OrchestratorEvent.EventDispatched;
import dev.orchestrator.singleton.OrchestratorEvent.EventIngested;
import dev.orchestrator.singleton.OrchestratorEvent.FiresDispatched;
import dev.orchestrator.singleton.OrchestratorEvent.ScheduleAdvanced;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The orchestrator's loop, event-sourced so that a failover loses nothing: every tick it reads the
 * enabled scenarios (priority order) and the runs under way, fires due schedules (journaled first,
 * so a fire happens once, and is handed out again if a crash cut it short), evaluates automatic
 * scenarios and asks each whose conditions hold to start; incoming events are journaled before they
 * are acknowledged, then matched to event-triggered scenarios. Run ids are derived from the event
 * or fire, so handing one out twice starts one run.
 */
final class OrchestratorEngine
    extends EventSourcedBehavior<Orchestrator.Command, OrchestratorEvent, OrchestratorState> {
  private static final Logger LOG = LoggerFactory.getLogger(OrchestratorEngine.class);

  /** How long a definition change outranks the read side (far beyond its usual lag). */
  static final Duration RECENT = Duration.ofSeconds(30);

  static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("orchestrator");

  enum Tick implements Orchestrator.Command {
    INSTANCE
  }

  record Loaded(Catalog.Snapshot snapshot, String error) implements Orchestrator.Command {}

  enum TickDone implements Orchestrator.Command {
    INSTANCE
  }

  record Dispatched(String eventId, String scenario, List<Instant> fires)
      implements Orchestrator.Command {}

  private final ActorContext<Orchestrator.Command> context;
  private final TimerScheduler<Orchestrator.Command> timers;
  private final ScenarioSettings settings;
  private final Catalog catalog;
  private final Admissions admissions;
  private final GlobalGate gate;
  private final Executor blocking;
  private final String self;

  private List<Scenario> scenarios = List.of();
  private boolean catalogSeen;
  private boolean busy;
  private final Set<String> dispatching = new HashSet<>();

  /** Definitions changed lately, laid over what the read side shows until it shows them too. */
  private final Map<String, Recent> recent = new HashMap<>();

  private record Recent(Orchestrator.DefinitionChanged change, Instant at) {}

  private OrchestratorEngine(
      ActorContext<Orchestrator.Command> context,
      TimerScheduler<Orchestrator.Command> timers,
      ScenarioSettings settings,
      Catalog catalog,
      Admissions admissions,
      GlobalGate gate,
      Executor blocking) {
    super(PERSISTENCE_ID);
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.catalog = catalog;
    this.admissions = admissions;
    this.gate = gate;
    this.blocking = blocking;
    this.self = context.getSystem().address().toString();
  }

  static Behavior<Orchestrator.Command> create(
      ScenarioSettings settings,
      Catalog catalog,
      Admissions admissions,
      GlobalGate gate,
      Executor blocking) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers ->
                    new OrchestratorEngine(
                        context, timers, settings, catalog, admissions, gate, blocking)));
  }

  @Override
  public OrchestratorState emptyState() {
    return OrchestratorState.empty();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  @Override
  public CommandHandler<Orchestrator.Command, OrchestratorEvent, OrchestratorState>
      commandHandler() {
    return newCommandHandlerBuilder()
        .forAnyState()
        .onCommand(
            WhereAreYou.class,
            (s, c) -> {
              c.replyTo().tell(new Orchestrator.Location(self));
              return Effect().none();
            })
        .onCommand(Ingest.class, this::ingest)
        .onCommand(RunManually.class, this::runManually)
        .onCommand(Tick.class, (s, c) -> tick())
        .onCommand(Loaded.class, this::loaded)
        .onCommand(
            TickDone.class,
            (s, c) -> {
              busy = false;
              return Effect().none();
            })
        .onCommand(Dispatched.class, this::dispatched)
        .onCommand(
            Orchestrator.RunEnded.class,
            (s, c) -> {
              gate.ended(c.runId());
              return Effect().none();
            })
        .onCommand(
            Orchestrator.DefinitionChanged.class,
            (s, c) -> {
              recent.put(c.definition().name(), new Recent(c, Instant.now()));
              scenarios = merged(scenarios);
              return Effect().none();
            })
        .build();
  }

  private Effect<OrchestratorEvent, OrchestratorState> ingest(
      OrchestratorState state, Ingest ingest) {
    if (!catalogSeen) {
      // Which scenarios an event matches is not known until the first catalog read: answering
      // "nothing matched" and dropping the event would lose one the new singleton should run.
      return Effect().stash();
    }
    String eventId = ingest.eventId() != null ? ingest.eventId() : UUID.randomUUID().toString();
    EventIngested event = new EventIngested(eventId, ingest.event(), Instant.now());
    List<String> matched = matching(ingest.event()).stream().map(Scenario::name).toList();
    if (state.pendingEvents().containsKey(eventId)) {
      // Asked again (no answer came in time): journaled already, and its runs start once.
      ingest.replyTo().tell(StatusReply.success(new Ingested(eventId, matched)));
      return Effect().none();
    }
    if (matched.isEmpty()) {
      // Nothing to hand it to: no need to journal it.
      ingest.replyTo().tell(StatusReply.success(new Ingested(eventId, matched)));
      return Effect().none();
    }
    return Effect()
        .persist(event)
        .thenRun(
            s -> {
              ingest.replyTo().tell(StatusReply.success(new Ingested(eventId, matched)));
              dispatch(event);
            });
  }

  private List<Scenario> matching(Orchestrator.IncomingEvent event) {
    return scenarios.stream()
        .filter(
            s ->
                "event".equals(s.trigger().type())
                    && s.trigger().event() != null
                    && event.type().equals(s.trigger().event().type())
                    && (s.trigger().event().source() == null
                        || s.trigger().event().source().equals(event.source())))
        .toList();
  }

  private void dispatch(EventIngested event) {
    if (!dispatching.add(event.eventId())) {
      return;
    }
    Orchestrator.IncomingEvent e = event.event();
    RunTrigger trigger = new RunTrigger("event", e.type(), e.source(), e.data(), event.at());
    context.pipeToSelf(
        admissions.admitInOrder(
            matching(e),
            Mode.EVENT,
            s -> trigger,
            s -> derivedId("event/" + event.eventId() + "/" + s.name()),
            false),
        (answers, failure) -> new Dispatched(event.eventId(), null, null));
  }

  private Effect<OrchestratorEvent, OrchestratorState> runManually(
      OrchestratorState state, RunManually run) {
    String runId = run.runId() != null ? run.runId() : UUID.randomUUID().toString();
    RunTrigger trigger = new RunTrigger("manual", null, run.user(), run.data(), Instant.now());
    admissions
        .definition(run.scenario())
        .thenCompose(
            scenario ->
                scenario == null
                    ? CompletableFuture.completedFuture(
                        List.of(
                            new Admission(
                                runId,
                                false,
                                "unknown",
                                "no scenario is named '" + run.scenario() + "'")))
                    : admissions.admitInOrder(
                        List.of(scenario), Mode.MANUAL, s -> trigger, s -> runId, run.force()))
        .whenComplete(
            (answers, failure) ->
                run.replyTo()
                    .tell(
                        failure == null
                            ? StatusReply.success(answers.get(0))
                            : StatusReply.error(
                                "the scenario could not be asked: " + failure.getMessage())));
    return Effect().none();
  }

  private Effect<OrchestratorEvent, OrchestratorState> tick() {
    if (!busy) {
      busy = true;
      context.pipeToSelf(
          catalog.read(),
          (snapshot, failure) ->
              new Loaded(snapshot, failure == null ? null : failure.getMessage()));
    }
    return Effect().none();
  }

  private Effect<OrchestratorEvent, OrchestratorState> loaded(
      OrchestratorState state, Loaded loaded) {
    if (loaded.error() != null) {
      context.getLog().warn("Tick skipped: {}", loaded.error());
      busy = false;
      return Effect().none();
    }
    scenarios = merged(loaded.snapshot().scenarios());
    gate.sync(loaded.snapshot().running());
    boolean first = !catalogSeen;
    if (first) {
      catalogSeen = true;
      state.pendingEvents().values().forEach(this::dispatch);
    }
    state.pendingFires().forEach(this::dispatchFires);
    List<OrchestratorEvent> advances = new ArrayList<>();
    Instant now = Instant.now();
    for (Scenario s : scenarios) {
      if ("schedule".equals(s.trigger().type())) {
        ScheduleAdvanced advance =
            Schedules.advance(s, state.lastFires().get(s.name()), now, settings);
        if (advance != null) {
          advances.add(advance);
        }
      }
    }
    List<Scenario> automatic =
        scenarios.stream().filter(s -> "automatic".equals(s.trigger().type())).toList();
    EffectBuilder<OrchestratorEvent, OrchestratorState> effect =
        Effect()
            .persist(advances)
            .thenRun(
                s -> {
                  advances.stream()
                      .map(a -> (ScheduleAdvanced) a)
                      .filter(a -> !a.fires().isEmpty())
                      .forEach(a -> dispatchFires(a.scenario(), a.fires()));
                  context.pipeToSelf(
                      admissions.admitInOrder(
                          automatic,
                          Mode.AUTOMATIC,
                          x -> new RunTrigger("automatic", null, null, null, Instant.now()),
                          x -> UUID.randomUUID().toString(),
                          false),
                      (answers, failure) -> TickDone.INSTANCE);
                });
    // Events that came before the first catalog read are answered now, in the order they came.
    return first ? effect.thenUnstashAll() : effect;
  }

  private void dispatchFires(String name, List<Instant> fires) {
    Scenario scenario =
        scenarios.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
    if (scenario == null || !dispatching.add("fires/" + name)) {
      return;
    }
    CompletionStage<?> chain = CompletableFuture.completedFuture(null);
    for (Instant fire : fires) {
      chain =
          chain.thenCompose(
              x ->
                  admissions.admitInOrder(
                      List.of(scenario),
                      Mode.SCHEDULE,
                      s -> new RunTrigger("schedule", fire.toString(), "cron", null, Instant.now()),
                      s -> derivedId("schedule/" + name + "/" + fire),
                      false));
    }
    chain.whenComplete(
        (done, failure) -> context.getSelf().tell(new Dispatched(null, name, fires)));
  }

  private Effect<OrchestratorEvent, OrchestratorState> dispatched(
      OrchestratorState state, Dispatched d) {
    if (d.eventId() != null) {
      dispatching.remove(d.eventId());
      return Effect().persist(new EventDispatched(d.eventId(), Instant.now()));
    }
    dispatching.remove("fires/" + d.scenario());
    return Effect().persist(new FiresDispatched(d.scenario(), d.fires(), Instant.now()));
  }

  /** {@code fromReadSide} with the recent changes laid over it, in priority order. */
  private List<Scenario> merged(List<Scenario> fromReadSide) {
    Instant cutoff = Instant.now().minus(RECENT);
    recent.values().removeIf(r -> r.at().isBefore(cutoff));
    Map<String, Scenario> byName = new LinkedHashMap<>();
    fromReadSide.forEach(s -> byName.put(s.name(), s));
    recent.forEach(
        (name, r) -> {
          if (r.change().enabled()) {
            byName.put(name, r.change().definition());
          } else {
            byName.remove(name);
          }
        });
    return byName.values().stream()
        .sorted(Comparator.comparing(Scenario::priority).thenComparing(Scenario::name))
        .toList();
  }

  static String derivedId(String key) {
    return UUID.nameUUIDFromBytes(key.getBytes(StandardCharsets.UTF_8)).toString();
  }

  @Override
  public SignalHandler<OrchestratorState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> {
              context.getLog().info("Orchestrator singleton started on {}", self);
              ScenarioFiles.publish(context.getSystem(), settings, blocking)
                  .whenComplete(
                      (done, failure) -> {
                        // Not the actor's thread: its context's logger may not be used here.
                        if (failure != null) {
                          LOG.error("Scenario files not all defined: {}", failure.getMessage());
                        }
                      });
              timers.startTimerWithFixedDelay(Tick.INSTANCE, Duration.ZERO, settings.tick());
            })
        .build();
  }

  @Override
  public EventHandler<OrchestratorState, OrchestratorEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(OrchestratorState::apply);
  }
}
