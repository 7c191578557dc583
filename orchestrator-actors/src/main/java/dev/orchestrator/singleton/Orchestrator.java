package dev.orchestrator.singleton;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.ClusterSingletonSettings;
import akka.cluster.typed.SingletonActor;
import dev.orchestrator.protocol.JsonSerializable;

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
