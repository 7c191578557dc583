package dev.orchestrator.singleton;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.ClusterSingletonSettings;
import akka.cluster.typed.SingletonActor;
import akka.coordination.lease.LeaseUsageSettings;
import akka.pattern.StatusReply;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.protocol.JsonSerializable;
import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.protocol.scenario.ScenarioCommand;
import dev.orchestrator.scenario.ScenarioSettings;
import dev.orchestrator.scenario.condition.ConditionEvaluator;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * The orchestrator cluster singleton: one active instance, on the oldest node with the {@code
 * orchestrator} role; the others hold proxies. With {@code orchestrator.singleton.use-lease}
 * (cluster mode) it starts only once its node holds that lease. Its loop is {@link
 * OrchestratorEngine}; this class holds the messages it accepts and starts it.
 */
public final class Orchestrator {
  public static final String ROLE = "orchestrator";
  private static final String NAME = "orchestrator";

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
   *
   * @param eventId the id to journal it under; null for a new one. The runs an event starts have
   *     ids derived from it, so an Ingest sent again with the same id (a retry after no answer)
   *     starts no run twice.
   */
  public record Ingest(IncomingEvent event, String eventId, ActorRef<StatusReply<Ingested>> replyTo)
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
   * A scenario entity stored a definition or switched it on or off: seen at once, before the read
   * side the ticks read has it.
   */
  public record DefinitionChanged(Scenario definition, boolean enabled) implements Command {}

  /** A top-level run ended (told by its scenario entity): it frees its place at once. */
  public record RunEnded(String runId) implements Command {}

  /**
   * An operator's run of {@code scenario}. With {@code force}, the conditions are not evaluated;
   * without, a false condition refuses the run and the answer explains why. {@code runId} is the id
   * of the run; null for a new one. A run id is admitted once, so a RunManually sent again with the
   * same id (a retry after no answer) answers as the first and starts no second run.
   */
  public record RunManually(
      String scenario,
      String user,
      JsonNode data,
      boolean force,
      String runId,
      ActorRef<StatusReply<ScenarioCommand.Admission>> replyTo)
      implements Command {}

  /** Starts the singleton manager (on role members) and returns a proxy usable on any node. */
  public static ActorRef<Command> init(
      ActorSystem<?> system,
      ScenarioSettings settings,
      ConditionEvaluator conditions,
      DataSource dataSource,
      Executor blocking) {
    GlobalGate gate = new GlobalGate(settings.maxConcurrent());
    Catalog catalog =
        new Catalog(
            dataSource,
            blocking,
            JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty()));
    Admissions admissions = new Admissions(system, conditions, gate, settings.askTimeout());
    Behavior<Command> engine =
        Behaviors.<Command>supervise(
                OrchestratorEngine.create(settings, catalog, admissions, gate, blocking))
            .onFailure(
                SupervisorStrategy.restartWithBackoff(
                    Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    ClusterSingletonSettings singletonSettings =
        ClusterSingletonSettings.create(system).withRole(ROLE);
    var config = system.settings().config().getConfig("orchestrator.singleton");
    if (!config.getString("use-lease").isEmpty()) {
      singletonSettings =
          singletonSettings.withLeaseSettings(
              new LeaseUsageSettings(
                  config.getString("use-lease"),
                  scala.concurrent.duration.FiniteDuration.fromNanos(
                      config.getDuration("lease-retry-interval").toNanos())));
    }
    return ClusterSingleton.get(system)
        .init(SingletonActor.of(engine, NAME).withSettings(singletonSettings));
  }

  /** The name of the lease Akka's singleton manager takes for this singleton. */
  public static String leaseName(ActorSystem<?> system) {
    return system.name() + "-singleton-akka://" + system.name() + "/system/singletonManager" + NAME;
  }
}
