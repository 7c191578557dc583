package dev.orchestrator.scenario.action.errors;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import dev.orchestrator.protocol.Durations;
import dev.orchestrator.protocol.JsonSerializable;
import dev.orchestrator.scenario.action.ActionSettings;
import java.time.Clock;
import java.time.Instant;

/**
 * The consecutive errors of one action type (avena's {@code max_error_attempts}), sharded by the
 * type's name, so that every run on every node sees the same count.
 *
 * <p>Policy, with {@code max} = {@code orchestrator.scenarios.max-error-attempts} and {@code
 * period} = {@code error-skip-period}: below {@code max} failures in a row, every action is
 * allowed. From {@code max} on, actions are skipped until {@code period} after the last failure;
 * then one attempt is let through (TrialAllowed, which starts another period, so a trial that never
 * reports back does not block the type for good). A failure makes the skip start again; a success
 * resets the count. {@code max} = 0 allows everything. The state holds facts only (count and
 * times), so a change of the settings applies to what was recorded before. Checks and successes at
 * a count of 0 persist nothing.
 */
public final class ActionErrorsEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        ActionErrorsEntity.Command, ActionErrorsEntity.Event, ActionErrorsEntity.State> {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "ActionErrors");

  /** The longest error text kept. */
  static final int MAX_ERROR = 500;

  /** Messages to the entity. */
  public sealed interface Command extends JsonSerializable {}

  /** May an action of this type run now? */
  public record Check(ActorRef<Verdict> replyTo) implements Command {}

  /** An action of this type ended; {@code error} says why it failed (null on success). */
  public record Record(boolean success, String error) implements Command {}

  /** The answer to {@link Check}. */
  public sealed interface Verdict extends JsonSerializable {}

  public record Allowed() implements Verdict {}

  /** Skip the action; {@code reason} says why and until when. */
  public record Skip(String reason) implements Verdict {}

  /** What happened, as journaled. Never renamed without a JacksonMigration. */
  public sealed interface Event extends JsonSerializable {}

  public record ErrorRecorded(String error, Instant at) implements Event {}

  /** A success after failures: the count starts again from 0. */
  public record SuccessRecorded(Instant at) implements Event {}

  /** After the skip period, one attempt was let through. */
  public record TrialAllowed(Instant at) implements Event {}

  /** The failures in a row, the last one's error and time, and the last trial let through. */
  public record State(int failures, String lastError, Instant lastFailureAt, Instant trialAt)
      implements JsonSerializable {
    static final State NONE = new State(0, null, null, null);

    State apply(Event event) {
      if (event instanceof ErrorRecorded e) {
        return new State(failures + 1, e.error(), e.at(), trialAt);
      }
      if (event instanceof TrialAllowed t) {
        return new State(failures, lastError, lastFailureAt, t.at());
      }
      return NONE;
    }

    /** Until when actions are skipped, once the count has reached the threshold. */
    Instant skipUntil(ActionSettings settings) {
      Instant from = trialAt != null && trialAt.isAfter(lastFailureAt) ? trialAt : lastFailureAt;
      return from.plus(settings.errorSkipPeriod());
    }
  }

  private final String actionType;
  private final ActionSettings settings;
  private final Clock clock;

  private ActionErrorsEntity(String actionType, ActionSettings settings, Clock clock) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), actionType));
    this.actionType = actionType;
    this.settings = settings;
    this.clock = clock;
  }

  public static Behavior<Command> create(String actionType, ActionSettings settings, Clock clock) {
    return new ActionErrorsEntity(actionType, settings, clock);
  }

  /** Registers the entity with sharding on this node. */
  public static void init(ActorSystem<?> system) {
    ActionSettings settings = ActionSettings.of(system);
    ClusterSharding.get(system)
        .init(
            Entity.of(
                ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), settings, Clock.systemUTC())));
  }

  /** A few events per failure streak: no snapshots, so recovery skips the snapshot store. */
  @Override
  public String snapshotPluginId() {
    return "akka.persistence.no-snapshot-store";
  }

  @Override
  public State emptyState() {
    return State.NONE;
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Check.class, this::check)
        .onCommand(Record.class, this::record)
        .build();
  }

  private ReplyEffect<Event, State> check(State state, Check check) {
    if (settings.maxErrorAttempts() == 0 || state.failures() < settings.maxErrorAttempts()) {
      return Effect().reply(check.replyTo(), new Allowed());
    }
    Instant now = clock.instant();
    Instant until = state.skipUntil(settings);
    if (now.isBefore(until)) {
      return Effect().reply(check.replyTo(), new Skip(reason(state, until)));
    }
    return Effect().persist(new TrialAllowed(now)).thenReply(check.replyTo(), s -> new Allowed());
  }

  private ReplyEffect<Event, State> record(State state, Record record) {
    if (record.success()) {
      return state.failures() == 0
          ? Effect().noReply()
          : Effect().persist(new SuccessRecorded(clock.instant())).thenNoReply();
    }
    String error = record.error() == null ? "no reason given" : record.error();
    if (error.length() > MAX_ERROR) {
      error = error.substring(0, MAX_ERROR) + "…";
    }
    return Effect().persist(new ErrorRecorded(error, clock.instant())).thenNoReply();
  }

  private String reason(State state, Instant until) {
    return actionType
        + " actions are skipped until "
        + until
        + ": "
        + state.failures()
        + " attempts in a row failed (orchestrator.scenarios.max-error-attempts = "
        + settings.maxErrorAttempts()
        + ", error-skip-period = "
        + Durations.format(settings.errorSkipPeriod())
        + "); the last error: "
        + state.lastError();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }
}
