package dev.orchestrator.command.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchestrator.command.CommandTags;
import dev.orchestrator.db.Database;
import dev.orchestrator.db.DatabaseSettings;
import dev.orchestrator.db.EmbeddedDatabase;
import dev.orchestrator.db.JdbcJournalConfig;
import dev.orchestrator.protocol.command.CommandEvent;
import dev.orchestrator.protocol.command.CommandEvent.AttemptStarted;
import dev.orchestrator.protocol.command.CommandEvent.Failed;
import dev.orchestrator.protocol.command.CommandEvent.Submitted;
import dev.orchestrator.protocol.command.CommandEvent.Succeeded;
import dev.orchestrator.protocol.command.CommandSpec;
import dev.orchestrator.protocol.command.CommandStatus;
import dev.orchestrator.protocol.command.CommandView;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The projection itself, end to end: events journaled with their tags through akka-persistence-jdbc
 * into a real PostgreSQL, read by tag, folded into the {@code commands} table by {@link
 * CommandProjection} on a one-node cluster.
 */
class CommandProjectionTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tempDir;
  private static EmbeddedDatabase server;
  private static Database database;
  private static ExecutorService blocking;
  private static CommandRepository repository;
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() throws Exception {
    server = EmbeddedDatabase.start(tempDir.resolve("pg"));
    database =
        Database.connect(
            new DatabaseSettings(
                server.jdbcUrl(), server.user(), server.password(), 4, Duration.ofSeconds(10)));
    database.migrate();
    blocking = Executors.newFixedThreadPool(2);
    repository = new CommandRepository(database.dataSource(), blocking);
    testKit =
        ActorTestKit.create(
            "CommandProjectionTest", JdbcJournalConfig.clusterWithProjections(server));
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    CommandProjection.init(testKit.system(), database.dataSource());
  }

  @AfterAll
  static void stop() throws Exception {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
    if (blocking != null) {
      blocking.shutdownNow();
    }
    if (database != null) {
      database.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void journaledEventsReachTheTableOnEveryTag() throws Exception {
    int commands = 200;
    Instant t0 = Instant.now();
    List<ActorRef<Writer.Write>> writers = new ArrayList<>();
    TestProbe<Done> written = testKit.createTestProbe();
    for (int i = 0; i < commands; i++) {
      String id = String.format("e2e-%03d", i);
      ActorRef<Writer.Write> writer = testKit.spawn(new Writer(id));
      writers.add(writer);
      CommandSpec spec =
          new CommandSpec(
              "noop",
              JSON.readTree("{\"i\":" + i + "}"),
              null,
              null,
              null,
              0,
              null,
              null,
              null,
              null,
              null);
      writer.tell(
          new Writer.Write(List.of(new Submitted(id, spec, null, null, t0)), written.getRef()));
    }
    written.receiveSeveralMessages(commands, Duration.ofSeconds(30));
    for (int i = 0; i < commands; i++) {
      String id = String.format("e2e-%03d", i);
      CommandEvent end =
          i % 4 == 0
              ? new Failed(id, CommandStatus.FAILED, "no luck", List.of(), t0.plusMillis(2))
              : new Succeeded(id, 1, JSON.readTree("{\"i\":" + i + "}"), List.of(), t0);
      writers
          .get(i)
          .tell(
              new Writer.Write(
                  List.of(new AttemptStarted(id, 1, "node-a", t0.plusMillis(1)), end),
                  written.getRef()));
    }
    written.receiveSeveralMessages(commands, Duration.ofSeconds(30));

    Map<CommandStatus, Long> counts = awaitCounts(50L, 150L, Duration.ofSeconds(60));
    assertEquals(0L, counts.get(CommandStatus.PENDING));
    assertEquals(0L, counts.get(CommandStatus.RUNNING));

    List<CommandView> failed =
        repository.list(CommandStatus.FAILED, "noop", null, 10).toCompletableFuture().get();
    assertEquals("e2e-000", failed.get(0).id());
    assertEquals("no luck", failed.get(0).error());
    CommandView succeeded =
        repository.list(null, null, "e2e-000", 1).toCompletableFuture().get().get(0);
    assertEquals("e2e-001", succeeded.id());
    assertEquals(CommandStatus.SUCCEEDED, succeeded.status());
    assertEquals(JSON.readTree("{\"i\":1}"), succeeded.output());
    assertEquals(1, succeeded.attempts());
    assertNull(succeeded.error());

    // Each tag's projection committed its offset with its writes.
    Set<String> keys = new TreeSet<>();
    try (Connection c = database.connection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT projection_key FROM akka_projection_offset_store"
                    + " WHERE projection_name = '"
                    + CommandProjection.NAME
                    + "'")) {
      while (rs.next()) {
        keys.add(rs.getString(1));
      }
    }
    assertEquals(new TreeSet<>(CommandTags.TAGS), keys);
  }

  private static Map<CommandStatus, Long> awaitCounts(
      long failed, long succeeded, Duration within) {
    return testKit
        .createTestProbe()
        .awaitAssert(
            within,
            Duration.ofMillis(100),
            () -> {
              Map<CommandStatus, Long> counts =
                  repository.countsByStatus().toCompletableFuture().join();
              assertEquals(failed, counts.get(CommandStatus.FAILED), () -> "FAILED in " + counts);
              assertEquals(
                  succeeded, counts.get(CommandStatus.SUCCEEDED), () -> "SUCCEEDED in " + counts);
              return counts;
            });
  }

  /**
   * Stands in for the command entity: journals the events it is given, tagged as the entity tags
   * them, and answers once they are written.
   */
  static final class Writer extends EventSourcedBehavior<Writer.Write, CommandEvent, Integer> {
    record Write(List<CommandEvent> events, ActorRef<Done> replyTo) {}

    Writer(String id) {
      super(PersistenceId.of("CommandProjectionTest", id));
    }

    @Override
    public Integer emptyState() {
      return 0;
    }

    @Override
    public CommandHandler<Write, CommandEvent, Integer> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(
              Write.class,
              write ->
                  Effect().persist(write.events()).thenReply(write.replyTo(), s -> Done.done()))
          .build();
    }

    @Override
    public EventHandler<Integer, CommandEvent> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((count, event) -> count + 1);
    }

    @Override
    public Set<String> tagsFor(CommandEvent event) {
      return Set.of(CommandTags.tagFor(event.id()));
    }
  }
}
