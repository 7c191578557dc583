package dev.orchestrator.singleton;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.ClusterSingletonSettings;
import akka.cluster.typed.SingletonActor;
import akka.pattern.StatusReply;
import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.JsonSerializable;
import dev.orchestrator.protocol.scenario.ScenarioCommand;
import java.util.List;

/**
 * The orchestrator cluster singleton: one active instance, on the oldest node with the {@code
 * orchestrator} role; the others hold proxies. For now it answers where it runs; the scenario loop
 * joins it later.
 */
public final class Orchestrator {
  public static final String ROLE = "orchestrator";

  private Orchestrator() {}

  /** Messages the singleton accepts, from any node. */
  public interface Command extends JsonSerializable {}

  /** Asks the singleton for the address of the node it runs on. */
  public record WhereAreYou(ActorRef<Location> replyTo) implements Command {}

  /** The address of the node that runs the singleton, as {@code akka://system@host:port}. */
  public record Location(String address) implements JsonSerializable {}

  /**
   * An event from outside ({@code POST /api/v1/events}) or from a component, for event-triggered
   * scenarios. Answered once the event is journaled: from then on it is not lost.
   */
  public record Ingest(IncomingEvent event, ActorRef<StatusReply<Ingested>> replyTo)
      implements Command {}

  /**
   * An event as it arrives.
   *
   * @param type such as {@code UPS_POWER_LOST}
   * @param source who sent it; null when unknown
   * @param data free-form; null when none
   */
  public record IncomingEvent(String type, String source, JsonNode data)
      implements JsonSerializable {}

  /**
   * The answer to {@link Ingest}.
   *
   * @param eventId the id the event is journaled under
   * @param matched the scenarios whose trigger it matches (their conditions and limits decide
   *     whether a run starts)
   */
  public record Ingested(String eventId, List<String> matched) implements JsonSerializable {}

  /**
   * An operator's run of {@code scenario}. With {@code force}, the conditions are not evaluated;
   * without, a false condition refuses the run and the answer explains why.
   */
  public record RunManually(
      String scenario,
      String user,
      JsonNode data,
      boolean force,
      ActorRef<StatusReply<ScenarioCommand.Admission>> replyTo)
      implements Command {}

  public static Behavior<Command> create() {
    return Behaviors.setup(
        context -> {
          String self = context.getSystem().address().toString();
          context.getLog().info("Orchestrator singleton started on {}", self);
          return Behaviors.receive(Command.class)
              .onMessage(
                  WhereAreYou.class,
                  message -> {
                    message.replyTo().tell(new Location(self));
                    return Behaviors.same();
                  })
              .build();
        });
  }

  /** Starts the singleton manager (on role members) and returns a proxy usable on any node. */
  public static ActorRef<Command> init(ActorSystem<?> system) {
    return ClusterSingleton.get(system)
        .init(
            SingletonActor.of(create(), "orchestrator")
                .withSettings(ClusterSingletonSettings.create(system).withRole(ROLE)));
  }
}
