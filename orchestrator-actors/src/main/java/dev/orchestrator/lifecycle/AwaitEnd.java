package dev.orchestrator.lifecycle;

import akka.actor.typed.ActorRef;
import akka.pattern.StatusReply;
import dev.orchestrator.protocol.lifecycle.LifecycleRunCommand;
import dev.orchestrator.protocol.lifecycle.LifecycleRunView;
import java.time.Duration;

/**
 * Asks a lifecycle run for its report once it has finished, or after {@code within} if it has not
 * by then (a report that still says RUNNING): a look that waits at the run instead of asking again
 * and again. Refused, like {@link LifecycleRunCommand.Get}, when no run has this id. The waiting is
 * not durable: when the run's node dies, the ask times out and the caller asks again.
 */
public record AwaitEnd(Duration within, ActorRef<StatusReply<LifecycleRunView>> replyTo)
    implements LifecycleRunCommand {}
