package dev.orchestrator.drill;

import akka.actor.AddressFromURIString;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.ClusterEvent;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Leave;
import akka.cluster.typed.Subscribe;
import akka.cluster.typed.Unsubscribe;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.orchestrator.command.CommandEntity;
import dev.orchestrator.command.CommandIds;
import dev.orchestrator.protocol.command.CommandRequest;
import dev.orchestrator.protocol.command.CommandSpec;
import dev.orchestrator.protocol.command.CommandView;
import dev.orchestrator.singleton.Orchestrator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one drill on a node other than its target. It asks the target to leave (handover) or to halt
 * (crash), then records what follows as stages: the target unreachable, downed, leaving, exiting,
 * removed; the singleton answering from another node; the first command submitted after that and
 * acknowledged. Meanwhile it submits a noop durable command every {@code command-interval} and asks
 * the singleton where it runs every {@code singleton-poll-interval}. Recovered (the target removed,
 * the singleton elsewhere, a command acknowledged since) or at the deadline, it stops both, checks
 * that every acknowledged command ended SUCCEEDED ({@link CommandCheck}) and which scenario runs
 * under way at the start went on, then stores the final report. The report is stored at each stage.
 */
final class DrillCoordinator extends AbstractBehavior<DrillCoordinator.Message> {
  private static final Logger log = LoggerFactory.getLogger(DrillCoordinator.class);

  /** The target's agent may not be known here yet (the receptionist gossips): look again. */
  private static final int AGENT_LOOKUPS = 20;

  private static final Duration AGENT_LOOKUP_PAUSE = Duration.ofMillis(500);
  private static final Duration RUNS_READ_PAUSE = Duration.ofMillis(500);

  interface Message {}

  private enum Tick implements Message {
    SUBMIT,
    POLL,
    DEADLINE,
    FIND_AGENT,
    RUNS
  }

  private record MemberChanged(ClusterEvent.MemberEvent event) implements Message {}

  private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Message {}

  private record RunsAtStart(Map<String, Long> runs) implements Message {}

  private record AgentsFound(Receptionist.Listing listing) implements Message {}

  private record Located(String address) implements Message {}

  private record Submitted(String id, long submittedAtMillis, boolean acknowledged)
      implements Message {}

  private record Checked(CommandCheck.Result result) implements Message {}

  private record RunsAfter(Map<String, Long> runs) implements Message {}

  private enum Phase {
    ACTING,
    DRAINING,
    CHECKING
  }

  private final DrillSettings settings;
  private final DrillRepository repository;
  private final ActorRef<Orchestrator.Command> singleton;
  private final TimerScheduler<Message> timers;
  private long runsDeadline;
  private final DrillProgress progress;
  private final ActorRef<ClusterEvent.MemberEvent> memberEvents;
  private final ActorRef<ClusterEvent.ReachabilityEvent> reachabilityEvents;
  private Phase phase = Phase.ACTING;
  private int agentLookups;
  private int inFlight;
  private Map<String, Long> runsAtStart = Map.of();
  private CompletionStage<?> saves = CompletableFuture.completedFuture(null);

  static Behavior<Message> create(
      DrillReport start,
      DrillSettings settings,
      DrillRepository repository,
      ActorRef<Orchestrator.Command> singleton) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers ->
                    new DrillCoordinator(context, timers, start, settings, repository, singleton)));
  }

  private DrillCoordinator(
      ActorContext<Message> context,
      TimerScheduler<Message> timers,
      DrillReport start,
      DrillSettings settings,
      DrillRepository repository,
      ActorRef<Orchestrator.Command> singleton) {
    super(context);
    this.settings = settings;
    this.repository = repository;
    this.singleton = singleton;
    this.timers = timers;
    this.progress = new DrillProgress(start);
    context.getLog().info("Drill {} ({}) of {} starts", start.id(), start.type(), start.target());
    memberEvents = context.messageAdapter(ClusterEvent.MemberEvent.class, MemberChanged::new);
    reachabilityEvents =
        context.messageAdapter(ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new);
    Cluster cluster = Cluster.get(context.getSystem());
    cluster.subscriptions().tell(Subscribe.create(memberEvents, ClusterEvent.MemberEvent.class));
    cluster
        .subscriptions()
        .tell(Subscribe.create(reachabilityEvents, ClusterEvent.ReachabilityEvent.class));
    Duration left = settings.deadline().minusMillis(progress.elapsedMillis());
    timers.startSingleTimer(Tick.DEADLINE, left.isNegative() ? Duration.ZERO : left);
    timers.startTimerAtFixedRate(Tick.SUBMIT, settings.commandInterval());
    timers.startTimerWithFixedDelay(Tick.POLL, settings.singletonPollInterval());
    context.pipeToSelf(
        repository.runningRuns(),
        (runs, failure) -> {
          if (failure != null) {
            context.getLog().warn("Drill {}: cannot read the runs under way", start.id(), failure);
          }
          return new RunsAtStart(runs == null ? Map.of() : runs);
        });
    save();
  }

  @Override
  public Receive<Message> createReceive() {
    return newReceiveBuilder()
        .onMessage(RunsAtStart.class, this::act)
        .onMessage(AgentsFound.class, this::halt)
        .onMessageEquals(Tick.SUBMIT, this::submit)
        .onMessageEquals(Tick.POLL, this::poll)
        .onMessageEquals(Tick.DEADLINE, this::deadline)
        .onMessageEquals(Tick.FIND_AGENT, this::findAgent)
        .onMessageEquals(Tick.RUNS, this::readRuns)
        .onMessage(MemberChanged.class, this::memberChanged)
        .onMessage(ReachabilityChanged.class, this::reachabilityChanged)
        .onMessage(Located.class, this::located)
        .onMessage(Submitted.class, this::submitted)
        .onMessage(Checked.class, this::checked)
        .onMessage(RunsAfter.class, this::finish)
        .onSignal(PostStop.class, s -> unsubscribe())
        .build();
  }

  /** The runs under way are known: now the target is asked to go. */
  private Behavior<Message> act(RunsAtStart runs) {
    runsAtStart = runs.runs();
    progress.runsRunningAtStart(runsAtStart.size());
    if (phase != Phase.ACTING) {
      return this;
    }
    if (progress.type() == DrillType.SINGLETON_HANDOVER) {
      Cluster.get(getContext().getSystem())
          .manager()
          .tell(Leave.create(AddressFromURIString.parse(progress.target())));
      stage("leaveRequested", "asked " + progress.target() + " to leave the cluster");
    } else {
      findAgent();
    }
    return this;
  }

  private Behavior<Message> halt(AgentsFound found) {
    if (phase != Phase.ACTING) {
      return this;
    }
    for (ActorRef<DrillAgent.Command> agent : found.listing().getServiceInstances(DrillAgent.KEY)) {
      if (agent.path().address().toString().equals(progress.target())) {
        agent.tell(new DrillAgent.Halt(progress.id(), progress.coordinator()));
        stage("haltRequested", "told the drill agent on " + progress.target() + " to halt");
        return this;
      }
    }
    if (++agentLookups < AGENT_LOOKUPS) {
      timers.startSingleTimer(Tick.FIND_AGENT, AGENT_LOOKUP_PAUSE);
      return this;
    }
    return stopActing(
        "no drill agent is known on "
            + progress.target()
            + " after "
            + AGENT_LOOKUPS
            + " look-ups, so it was not halted");
  }

  private Behavior<Message> findAgent() {
    getContext()
        .getSystem()
        .receptionist()
        .tell(
            Receptionist.find(
                DrillAgent.KEY,
                getContext().messageAdapter(Receptionist.Listing.class, AgentsFound::new)));
    return this;
  }

  private Behavior<Message> submit() {
    int n = progress.nextSubmission();
    String key = "drill-" + progress.id() + "-" + n;
    CommandSpec spec =
        new CommandSpec(
            "noop",
            JsonNodeFactory.instance.objectNode().put("drill", progress.id()).put("n", n),
            null,
            null,
            null,
            0,
            null,
            key,
            null,
            null,
            null);
    String id = CommandIds.forIdempotencyKey(key);
    long at = progress.elapsedMillis();
    inFlight++;
    CompletionStage<CommandView> answer =
        ClusterSharding.get(getContext().getSystem())
            .entityRefFor(CommandEntity.ENTITY_TYPE_KEY, id)
            .askWithStatus(
                replyTo -> new CommandRequest.Submit(spec, null, replyTo), settings.askTimeout());
    getContext().pipeToSelf(answer, (view, failure) -> new Submitted(id, at, failure == null));
    return this;
  }

  private Behavior<Message> poll() {
    getContext()
        .ask(
            Orchestrator.Location.class,
            singleton,
            settings.askTimeout(),
            Orchestrator.WhereAreYou::new,
            (location, failure) -> new Located(location == null ? null : location.address()));
    return this;
  }

  private Behavior<Message> memberChanged(MemberChanged changed) {
    ClusterEvent.MemberEvent event = changed.event();
    if (!event.member().address().toString().equals(progress.target())) {
      return this;
    }
    if (event instanceof ClusterEvent.MemberLeft) {
      stage("leaving", null);
    } else if (event instanceof ClusterEvent.MemberExited) {
      stage("exiting", null);
    } else if (event instanceof ClusterEvent.MemberDowned) {
      stage("downed", null);
    } else if (event instanceof ClusterEvent.MemberRemoved removed) {
      stage(DrillProgress.REMOVED, "was " + removed.previousStatus());
    }
    return recoveredYet();
  }

  private Behavior<Message> reachabilityChanged(ReachabilityChanged changed) {
    ClusterEvent.ReachabilityEvent event = changed.event();
    if (event.member().address().toString().equals(progress.target())) {
      if (event instanceof ClusterEvent.UnreachableMember) {
        stage("unreachable", null);
      } else if (event instanceof ClusterEvent.ReachableMember) {
        stage("reachableAgain", null);
      }
    }
    return this;
  }

  private Behavior<Message> located(Located located) {
    String address = located.address();
    if (phase == Phase.ACTING
        && address != null
        && !address.equals(progress.target())
        && progress.singletonElsewhere(address)) {
      save();
    }
    return recoveredYet();
  }

  private Behavior<Message> submitted(Submitted submitted) {
    inFlight--;
    if (submitted.acknowledged()
        && progress.acknowledged(submitted.id(), submitted.submittedAtMillis())) {
      save();
    }
    return phase == Phase.DRAINING ? checkWhenDrained() : recoveredYet();
  }

  private Behavior<Message> deadline() {
    if (phase != Phase.ACTING) {
      return this;
    }
    return stopActing(
        "the deadline of "
            + settings.deadline().toSeconds()
            + " s passed before "
            + String.join(", ", progress.missing()));
  }

  private Behavior<Message> recoveredYet() {
    if (phase == Phase.ACTING && progress.recovered()) {
      return stopActing(null);
    }
    return this;
  }

  /** Stops submitting and polling; once the last submit is answered, the commands are checked. */
  private Behavior<Message> stopActing(String failure) {
    phase = Phase.DRAINING;
    timers.cancel(Tick.SUBMIT);
    timers.cancel(Tick.POLL);
    timers.cancel(Tick.DEADLINE);
    if (failure != null) {
      progress.fail(failure);
      getContext().getLog().warn("Drill {}: {}", progress.id(), failure);
    }
    save();
    return checkWhenDrained();
  }

  private Behavior<Message> checkWhenDrained() {
    if (inFlight > 0) {
      return this;
    }
    phase = Phase.CHECKING;
    getContext()
        .pipeToSelf(
            CommandCheck.run(
                getContext().getSystem(),
                progress.acknowledgedIds(),
                settings.askTimeout(),
                settings.verifyTimeout()),
            (result, failure) ->
                new Checked(
                    failure == null
                        ? result
                        : new CommandCheck.Result(0, progress.acknowledgedIds(), 0)));
    return this;
  }

  private Behavior<Message> checked(Checked checked) {
    progress.checked(checked.result());
    runsDeadline = System.nanoTime() + settings.verifyTimeout().toNanos();
    return readRuns();
  }

  /**
   * Reads the runs under way at the start again (the read side follows their journal a moment
   * later): until each went on or the verify timeout passed, then the report ends.
   */
  private Behavior<Message> readRuns() {
    getContext()
        .pipeToSelf(
            repository.progressOf(List.copyOf(runsAtStart.keySet())),
            (runs, failure) -> new RunsAfter(runs == null ? Map.of() : runs));
    return this;
  }

  private Behavior<Message> finish(RunsAfter after) {
    int resumed = 0;
    for (Map.Entry<String, Long> run : runsAtStart.entrySet()) {
      Long now = after.runs().get(run.getKey());
      if (now != null && now > run.getValue()) {
        resumed++;
      }
    }
    if (resumed < runsAtStart.size() && System.nanoTime() < runsDeadline) {
      timers.startSingleTimer(Tick.RUNS, RUNS_READ_PAUSE);
      return this;
    }
    progress.runsResumed(resumed);
    DrillReport report = progress.finish(Instant.now());
    getContext()
        .getLog()
        .info(
            "Drill {} {}: recovery {} ms, {} commands submitted, {} acknowledged, {} lost, {}"
                + " duplicated, {} of {} runs resumed",
            report.id(),
            report.status(),
            report.recoveryMillis(),
            report.commandsSubmitted(),
            report.acknowledged(),
            report.lost(),
            report.duplicated(),
            report.runsResumed(),
            report.runsRunningAtStart());
    save();
    return Behaviors.stopped();
  }

  private void stage(String name, String detail) {
    if (progress.stage(name, detail)) {
      save();
    }
  }

  /** Stores the report as it is now, after the saves before it (never out of order). */
  private void save() {
    DrillReport report = progress.report();
    saves =
        saves
            .handle((ok, failure) -> null)
            .thenCompose(ignored -> repository.save(report))
            .whenComplete(
                (ok, failure) -> {
                  if (failure != null) {
                    log.warn("Drill {}: report not stored: {}", report.id(), failure.getMessage());
                  }
                });
  }

  private Behavior<Message> unsubscribe() {
    Cluster cluster = Cluster.get(getContext().getSystem());
    cluster.subscriptions().tell(new Unsubscribe<>(memberEvents));
    cluster.subscriptions().tell(new Unsubscribe<>(reachabilityEvents));
    return this;
  }
}
