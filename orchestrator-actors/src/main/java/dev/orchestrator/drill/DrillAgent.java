package dev.orchestrator.drill;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.actor.typed.receptionist.ServiceKey;
import akka.cluster.typed.Cluster;
import akka.pattern.StatusReply;
import dev.orchestrator.protocol.JsonSerializable;
import dev.orchestrator.singleton.Orchestrator;
import java.time.Instant;

/**
 * The drill agent, one on every node, found through the receptionist: it starts the coordinator of
 * a drill on its node ({@link Coordinate}), and halts its own JVM when a drill's coordinator on
 * another node tells it to ({@link Halt}). It never halts the node that coordinates the drill.
 */
public final class DrillAgent {
  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "drill-agent");

  /** The exit status of a halted node: the status of a process killed by SIGKILL. */
  public static final int HALT_STATUS = 137;

  private DrillAgent() {}

  /** Messages an agent accepts, from any node. */
  public interface Command extends JsonSerializable {}

  /**
   * Runs drill {@code drillId} from this node (already stored RUNNING); answered once its
   * coordinator is started.
   */
  public record Coordinate(
      String drillId,
      String type,
      String target,
      String singletonBefore,
      Instant startedAt,
      ActorRef<StatusReply<Coordinating>> replyTo)
      implements Command {}

  /** The answer to {@link Coordinate}: {@code coordinator} runs the drill. */
  public record Coordinating(String drillId, String coordinator) implements JsonSerializable {}

  /** Halts this node at once, for drill {@code drillId} coordinated by {@code coordinator}. */
  public record Halt(String drillId, String coordinator) implements Command {}

  static Behavior<Command> create(
      DrillSettings settings,
      DrillRepository repository,
      ActorRef<Orchestrator.Command> singleton) {
    return Behaviors.setup(
        context -> {
          context.getSystem().receptionist().tell(Receptionist.register(KEY, context.getSelf()));
          String self = Cluster.get(context.getSystem()).selfMember().address().toString();
          return Behaviors.receive(Command.class)
              .onMessage(
                  Coordinate.class,
                  c -> {
                    DrillType type = DrillType.fromWire(c.type()).orElseThrow();
                    if (c.target().equals(self)) {
                      c.replyTo()
                          .tell(
                              StatusReply.error(
                                  "the coordinator of a drill cannot run on its target " + self));
                      return Behaviors.same();
                    }
                    DrillReport start =
                        DrillReport.starting(
                            c.drillId(),
                            type,
                            c.target(),
                            self,
                            c.singletonBefore(),
                            c.startedAt());
                    context.spawn(
                        DrillCoordinator.create(start, settings, repository, singleton),
                        "drill-" + c.drillId());
                    c.replyTo().tell(StatusReply.success(new Coordinating(c.drillId(), self)));
                    return Behaviors.same();
                  })
              .onMessage(
                  Halt.class,
                  h -> {
                    if (h.coordinator().equals(self)) {
                      context
                          .getLog()
                          .error(
                              "Drill {} asked this node to halt, but it coordinates that drill:"
                                  + " not halting",
                              h.drillId());
                      return Behaviors.same();
                    }
                    context
                        .getLog()
                        .warn(
                            "Drill {} (coordinated by {}): halting this node now, as a crash would",
                            h.drillId(),
                            h.coordinator());
                    Runtime.getRuntime().halt(HALT_STATUS);
                    return Behaviors.same();
                  })
              .build();
        });
  }
}
