package dev.orchestrator.gateway;

import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.pattern.StatusReply;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Asks the entities of one type, as the routes do: with the gateway's ask timeout, and a refusal (a
 * {@link StatusReply#error}) turned into the problem the route chooses.
 */
public final class EntityAsker<C> {
  private final ClusterSharding sharding;
  private final EntityTypeKey<C> type;
  private final Duration timeout;

  public EntityAsker(ClusterSharding sharding, EntityTypeKey<C> type, Duration timeout) {
    this.sharding = sharding;
    this.type = type;
    this.timeout = timeout;
  }

  /** Asks entity {@code id}; a refusal fails the stage with {@code refusal} of its message. */
  public <T> CompletionStage<T> ask(
      String id, Function<ActorRef<StatusReply<T>>, C> command, Function<String, Problem> refusal) {
    return ApiRoutes.refusedAs(
        sharding.entityRefFor(type, id).<T>askWithStatus(command::apply, timeout), refusal);
  }
}
