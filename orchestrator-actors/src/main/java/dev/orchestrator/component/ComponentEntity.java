package dev.orchestrator.component;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.pattern.StatusReply;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import dev.orchestrator.protocol.JsonSerializable;
import dev.orchestrator.protocol.component.ComponentCommand;
import dev.orchestrator.protocol.component.ComponentCommand.Deregister;
import dev.orchestrator.protocol.component.ComponentCommand.Get;
import dev.orchestrator.protocol.component.ComponentCommand.Register;
import dev.orchestrator.protocol.component.ComponentEvent;
import dev.orchestrator.protocol.component.ComponentEvent.Deregistered;
import dev.orchestrator.protocol.component.ComponentEvent.Registered;
import dev.orchestrator.protocol.component.ComponentEvent.SpecChanged;
import dev.orchestrator.protocol.component.ComponentSpec;
import dev.orchestrator.protocol.component.ComponentView;
import dev.orchestrator.protocol.component.FsmState;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * One registered component, sharded by its id and event-sourced.
 *
 * <p>State machine: {@link Unregistered} --Register--> {@link Active} --Register (changed spec)-->
 * {@link Active} --Deregister--> {@link Unregistered}. A registration with problems, or a query or
 * deregistration of an unregistered component, is refused and persists nothing. The lifecycle FSM
 * (observed and desired state) is carried in {@link Active} and starts at {@link FsmState#UNKNOWN};
 * drivers come later.
 */
public final class ComponentEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        ComponentCommand, ComponentEvent, ComponentEntity.State> {

  public static final EntityTypeKey<ComponentCommand> ENTITY_TYPE_KEY =
      EntityTypeKey.create(ComponentCommand.class, "Component");

  /** Events are spread over these tags so that the read side can fold them in parallel. */
  public static final List<String> TAGS =
      IntStream.range(0, 4).mapToObj(i -> "component-" + i).toList();

  private final String componentId;
  private final String tag;

  private ComponentEntity(String componentId, String tag) {
    super(PersistenceId.of(ENTITY_TYPE_KEY.name(), componentId));
    this.componentId = componentId;
    this.tag = tag;
  }

  public static Behavior<ComponentCommand> create(String componentId) {
    return new ComponentEntity(componentId, tagFor(componentId));
  }

  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_TYPE_KEY, context -> create(context.getEntityId()))
                .withRole("worker"));
  }

  static String tagFor(String componentId) {
    return TAGS.get(Math.floorMod(componentId.hashCode(), TAGS.size()));
  }

  /** The entity's state; replaced, never mutated. */
  public sealed interface State extends JsonSerializable {}

  public record Unregistered() implements State {}

  public record Active(
      String id,
      ComponentSpec spec,
      FsmState state,
      FsmState desiredState,
      Instant lastSeen,
      String error,
      Instant registeredAt,
      Instant updatedAt)
      implements State {

    ComponentView view() {
      return new ComponentView(
          id, spec, state, desiredState, lastSeen, error, registeredAt, updatedAt);
    }

    Active withSpec(ComponentSpec newSpec, Instant at) {
      return new Active(id, newSpec, state, desiredState, lastSeen, error, registeredAt, at);
    }
  }

  @Override
  public State emptyState() {
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
  public CommandHandlerWithReply<ComponentCommand, ComponentEvent, State> commandHandler() {
    CommandHandlerWithReplyBuilder<ComponentCommand, ComponentEvent, State> builder =
        newCommandHandlerWithReplyBuilder();
    builder
        .forStateType(Unregistered.class)
        .onCommand(Register.class, (state, command) -> register(command))
        .onCommand(Get.class, (state, command) -> notRegistered(command.replyTo()))
        .onCommand(Deregister.class, (state, command) -> notRegistered(command.replyTo()));
    builder
        .forStateType(Active.class)
        .onCommand(Register.class, this::update)
        .onCommand(Get.class, (state, command) -> Effect().reply(command.replyTo(), success(state)))
        .onCommand(Deregister.class, (state, command) -> deregister(command));
    return builder.build();
  }

  private ReplyEffect<ComponentEvent, State> register(Register command) {
    List<String> problems = command.spec().problems(componentId);
    if (!problems.isEmpty()) {
      return Effect().reply(command.replyTo(), StatusReply.error(String.join("; ", problems)));
    }
    return Effect()
        .persist(new Registered(componentId, command.spec(), Instant.now()))
        .thenReply(command.replyTo(), ComponentEntity::success);
  }

  private ReplyEffect<ComponentEvent, State> update(Active state, Register command) {
    List<String> problems = command.spec().problems(componentId);
    if (!problems.isEmpty()) {
      return Effect().reply(command.replyTo(), StatusReply.error(String.join("; ", problems)));
    }
    if (state.spec().equals(command.spec())) {
      return Effect().reply(command.replyTo(), success(state));
    }
    return Effect()
        .persist(new SpecChanged(componentId, command.spec(), Instant.now()))
        .thenReply(command.replyTo(), ComponentEntity::success);
  }

  private ReplyEffect<ComponentEvent, State> deregister(Deregister command) {
    return Effect()
        .persist(new Deregistered(componentId, Instant.now()))
        .thenReply(command.replyTo(), state -> StatusReply.ack());
  }

  private <T> ReplyEffect<ComponentEvent, State> notRegistered(ActorRef<StatusReply<T>> replyTo) {
    return Effect()
        .reply(replyTo, StatusReply.error("component '" + componentId + "' is not registered"));
  }

  private static StatusReply<ComponentView> success(State state) {
    return StatusReply.success(((Active) state).view());
  }

  @Override
  public EventHandler<State, ComponentEvent> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(
            Registered.class,
            (state, event) ->
                new Active(
                    event.id(),
                    event.spec(),
                    FsmState.UNKNOWN,
                    null,
                    null,
                    null,
                    event.at(),
                    event.at()))
        .onEvent(
            SpecChanged.class,
            (state, event) -> ((Active) state).withSpec(event.spec(), event.at()))
        .onEvent(Deregistered.class, (state, event) -> new Unregistered())
        .build();
  }
}
