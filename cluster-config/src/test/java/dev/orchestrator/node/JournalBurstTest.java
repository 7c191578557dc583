package dev.orchestrator.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.Done;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import dev.orchestrator.node.testkit.TestNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's journal and snapshot store take a burst of writes from thousands of entities at once,
 * as a lifecycle run over {@code @all} causes (each component journals its command at the same
 * moment): none is refused. With the plugin's default queue (1,000 writes) the rest failed, each
 * failure counted by the journal's circuit breaker, which then refused every read and write of the
 * node for 30 s.
 */
class JournalBurstTest {
  private static final int ENTITIES = 5_000;

  @TempDir Path dataDir;

  private Node node;

  @AfterEach
  void stopNode() throws Exception {
    if (node != null) {
      TestNodes.stop(node);
    }
  }

  /**
   * Persists the text it is given and snapshots after it (components snapshot every 100 events, so
   * a burst of their writes can be one of snapshots too), then answers; answers a ping without
   * writing.
   */
  private static final class Writer extends EventSourcedBehavior<Writer.Command, String, String> {
    interface Command {}

    record Write(String text, ActorRef<Done> replyTo) implements Command {}

    record Ping(ActorRef<Done> replyTo) implements Command {}

    Writer(int index) {
      super(PersistenceId.of("JournalBurstTest", Integer.toString(index)));
    }

    @Override
    public String emptyState() {
      return "";
    }

    @Override
    public CommandHandler<Command, String, String> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(
              Write.class,
              write -> Effect().persist(write.text()).thenReply(write.replyTo(), s -> Done.done()))
          .onCommand(Ping.class, ping -> Effect().reply(ping.replyTo(), Done.done()))
          .build();
    }

    @Override
    public boolean shouldSnapshot(String state, String event, long sequenceNr) {
      return true;
    }

    @Override
    public EventHandler<String, String> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((state, text) -> state + text);
    }
  }

  @Test
  void thousandsOfEntitiesWritingAtOnceAreAllJournaled() throws Exception {
    node = TestNodes.startReadyDev(dataDir);
    ActorSystem<Void> system = node.system();
    List<ActorRef<Writer.Command>> writers = new ArrayList<>();
    for (int i = 0; i < ENTITIES; i++) {
      Behavior<Writer.Command> writer = new Writer(i);
      writers.add(system.systemActorOf(writer, "journal-burst-" + i, Props.empty()));
    }
    // Recovered first, so that the writes below reach the journal together.
    List<CompletableFuture<Done>> recovered = awaitAll(system, writers, Writer.Ping::new);
    assertEquals(0, recovered.stream().filter(CompletableFuture::isCompletedExceptionally).count());

    List<CompletableFuture<Done>> written =
        awaitAll(system, writers, replyTo -> new Writer.Write("written", replyTo));

    long refused = written.stream().filter(CompletableFuture::isCompletedExceptionally).count();
    assertEquals(0, refused, "writes refused or lost out of " + ENTITIES);
    assertEquals(ENTITIES, rows("event_journal"), "events in the journal");
    assertEquals(ENTITIES, rows("snapshot"), "snapshots (one after each write)");
  }

  /** Asks every writer at once; waits for all the answers, failed or not. */
  private static List<CompletableFuture<Done>> awaitAll(
      ActorSystem<Void> system,
      List<ActorRef<Writer.Command>> writers,
      Function<ActorRef<Done>, Writer.Command> command)
      throws Exception {
    List<CompletableFuture<Done>> answers = new ArrayList<>();
    for (ActorRef<Writer.Command> writer : writers) {
      CompletionStage<Done> answer =
          AskPattern.ask(writer, command::apply, Duration.ofSeconds(60), system.scheduler());
      answers.add(answer.toCompletableFuture());
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .handle((ok, failure) -> null)
        .get(90, TimeUnit.SECONDS);
    return answers;
  }

  /** This test's rows in {@code table}. */
  private long rows(String table) throws Exception {
    try (var connection = node.services().database().dataSource().getConnection();
        var statement =
            connection.prepareStatement(
                "SELECT count(*) FROM "
                    + table
                    + " WHERE persistence_id LIKE 'JournalBurstTest|%'");
        var rows = statement.executeQuery()) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
