package dev.orchestrator.node.testkit;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * The journal as tests see it: {@link #write} journals events for an entity's persistence id as a
 * node that died right after writing them would have left them, through a throw-away event-sourced
 * actor (no entity of that id runs before or after: tests of what starts entities from the journal
 * or the read side); {@link #types} reads what an entity journaled without starting it.
 */
public final class TestJournal {
  private TestJournal() {}

  /** Journals {@code events} under {@code persistenceId}, each tagged {@code tag}; waits for it. */
  public static <E> void write(
      ActorSystem<?> system, PersistenceId persistenceId, String tag, List<E> events)
      throws Exception {
    ActorRef<Write<E>> writer =
        system.systemActorOf(
            new Writer<E>(persistenceId, tag), "writer-" + UUID.randomUUID(), Props.empty());
    AskPattern.<Write<E>, Done>ask(
            writer,
            replyTo -> new Write<>(events, replyTo),
            Duration.ofSeconds(30),
            system.scheduler())
        .toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
  }

  /** The event types journaled for {@code persistenceId} ("StateChanged"), in order. */
  public static List<String> types(DataSource dataSource, String persistenceId)
      throws SQLException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT event_ser_manifest FROM event_journal WHERE persistence_id = ?"
                    + " ORDER BY sequence_number")) {
      s.setString(1, persistenceId);
      List<String> types = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          String manifest = r.getString(1);
          types.add(
              manifest.substring(
                  Math.max(manifest.lastIndexOf('$'), manifest.lastIndexOf('.')) + 1));
        }
      }
      return types;
    }
  }

  private record Write<E>(List<E> events, ActorRef<Done> replyTo) {}

  /** Persists what it is given, and stops. */
  private static final class Writer<E> extends EventSourcedBehavior<Write<E>, E, Done> {
    private final String tag;

    Writer(PersistenceId persistenceId, String tag) {
      super(persistenceId);
      this.tag = tag;
    }

    @Override
    public Done emptyState() {
      return Done.getInstance();
    }

    @Override
    public CommandHandler<Write<E>, E, Done> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onAnyCommand(
              write ->
                  Effect()
                      .persist(write.events())
                      .thenRun(state -> write.replyTo().tell(Done.getInstance()))
                      .thenStop());
    }

    @Override
    public EventHandler<Done, E> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> state);
    }

    @Override
    public Set<String> tagsFor(E event) {
      return Set.of(tag);
    }
  }
}
