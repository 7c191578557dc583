package dev.orchestrator.lifecycle;

import akka.actor.typed.ActorRef;
import akka.pattern.StatusReply;
import dev.orchestrator.protocol.lifecycle.LifecycleRunView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Who waits for a lifecycle run to finish ({@link AwaitEnd}): answered with the final report when
 * it finishes, or with the report of the moment when their wait is up. One per run incarnation,
 * used from the run entity's thread only; lost with it (the callers' asks time out and ask again).
 */
final class EndWaiters {
  private record Waiter(ActorRef<StatusReply<LifecycleRunView>> replyTo, Instant until) {}

  private final List<Waiter> waiters = new ArrayList<>();

  void add(AwaitEnd await) {
    waiters.add(new Waiter(await.replyTo(), Instant.now().plus(await.within())));
  }

  /** Answers those whose wait is up with {@code view} (the run goes on). */
  void expire(LifecycleRunView view) {
    Instant now = Instant.now();
    waiters.removeIf(
        w -> {
          if (w.until().isAfter(now)) {
            return false;
          }
          w.replyTo().tell(StatusReply.success(view));
          return true;
        });
  }

  /** Answers everyone with {@code view} (the run finished). */
  void answerAll(LifecycleRunView view) {
    waiters.forEach(w -> w.replyTo().tell(StatusReply.success(view)));
    waiters.clear();
  }
}
