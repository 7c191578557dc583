package dev.orchestrator.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import akka.Done;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.Offset;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import akka.stream.javadsl.Sink;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MultiRowJournalDao} as the journal's DAO on a real PostgreSQL: what many entities write at
 * once is stored, tagged and read back as the plugin's own DAO would store it.
 */
class MultiRowJournalDaoTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);

  @TempDir static Path tempDir;
  private static TestPostgres db;
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() throws Exception {
    db = TestPostgres.start(tempDir.resolve("pg"));
    testKit = ActorTestKit.create("MultiRowJournalDaoTest", JdbcJournalConfig.journal(db.server()));
  }

  @AfterAll
  static void stop() throws Exception {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
    if (db != null) {
      db.close();
    }
  }

  @Test
  void eventsOfManyEntitiesWrittenAtOnceAreStoredTaggedAndReadBack() throws Exception {
    int entities = 40;
    int perEntity = 5;
    TestProbe<Done> written = testKit.createTestProbe();
    List<ActorRef<Command>> writers = new ArrayList<>();
    for (int e = 0; e < entities; e++) {
      writers.add(testKit.spawn(Writer.create("many-" + e)));
    }
    // Every entity persists its events one write after the other, all entities at once, so that
    // the journal batches writes of many persistence ids together.
    for (int i = 0; i < perEntity; i++) {
      for (int e = 0; e < entities; e++) {
        writers.get(e).tell(new Persist(List.of("many-" + e + "/" + i), written.getRef()));
      }
    }
    for (int i = 0; i < entities * perEntity; i++) {
      written.expectMessage(WITHIN, Done.getInstance());
    }

    // Each entity's own tag holds exactly its events, in order: the tag rows point at the right
    // journal rows.
    for (int e = 0; e < entities; e++) {
      String pid = "Writer|many-" + e;
      List<EventEnvelope> tagged = byTag("of-" + pid);
      assertEquals(perEntity, tagged.size(), pid);
      for (int i = 0; i < perEntity; i++) {
        assertEquals(pid, tagged.get(i).persistenceId());
        assertEquals(i + 1L, tagged.get(i).sequenceNr());
        assertEquals("many-" + e + "/" + i, tagged.get(i).event());
      }
    }
    assertEquals(entities * perEntity, byTag("all-many").size());
    assertEquals(
        0,
        scalar(
            """
        SELECT count(*) FROM event_tag t JOIN event_journal j ON j.ordering = t.event_id
        WHERE t.tag LIKE 'of-%' AND t.tag <> 'of-' || j.persistence_id"""));

    // A new incarnation recovers every event of its own, in order.
    ActorRef<Command> again = testKit.spawn(Writer.create("many-7"));
    TestProbe<List<String>> state = testKit.createTestProbe();
    again.tell(new Get(state.getRef()));
    assertEquals(
        IntStream.range(0, perEntity).mapToObj(i -> "many-7/" + i).toList(),
        state.expectMessageClass(List.class, WITHIN));
  }

  @Test
  void aWriteOfMoreRowsThanOneStatementTakesIsWrittenWhole() throws Exception {
    int n = MultiRowJournalDao.MAX_PARAMETERS / 15 * 2 + 234;
    List<String> events = IntStream.range(0, n).mapToObj(i -> "bulk/" + i).toList();
    TestProbe<Done> written = testKit.createTestProbe();
    testKit.spawn(Writer.create("bulk")).tell(new Persist(events, written.getRef()));
    written.expectMessage(WITHIN, Done.getInstance());

    List<EventEnvelope> tagged = byTag("of-Writer|bulk");
    assertEquals(events, tagged.stream().map(EventEnvelope::event).toList());
    assertEquals(
        n,
        scalar(
            "SELECT count(DISTINCT ordering) FROM event_journal"
                + " WHERE persistence_id = 'Writer|bulk'"));
  }

  @Test
  void aSecondWriterOfTheSameSequenceNumberIsRefusedAndNothingOfItIsStored() throws Exception {
    ActorRef<Command> first = testKit.spawn(Writer.create("twice"), "first");
    ActorRef<Command> second = testKit.spawn(Writer.create("twice"), "second");
    TestProbe<List<String>> state = testKit.createTestProbe();
    first.tell(new Get(state.getRef()));
    second.tell(new Get(state.getRef()));
    state.expectMessageClass(List.class, WITHIN);
    state.expectMessageClass(List.class, WITHIN);

    TestProbe<Done> written = testKit.createTestProbe();
    first.tell(new Persist(List.of("first/0"), written.getRef()));
    written.expectMessage(WITHIN, Done.getInstance());
    second.tell(new Persist(List.of("second/0", "second/1"), written.getRef()));

    written.expectTerminated(second, WITHIN);
    written.expectNoMessage(Duration.ofMillis(200));
    assertEquals(
        List.of("first/0"), byTag("of-Writer|twice").stream().map(e -> e.event()).toList());
  }

  private static List<EventEnvelope> byTag(String tag) throws Exception {
    JdbcReadJournal journal =
        PersistenceQuery.get(testKit.system())
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    return journal
        .currentEventsByTag(tag, Offset.noOffset())
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture()
        .get(WITHIN.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
  }

  private static long scalar(String sql) throws Exception {
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  interface Command {}

  record Persist(List<String> events, ActorRef<Done> replyTo) implements Command {}

  record Get(ActorRef<List<String>> replyTo) implements Command {}

  /**
   * Persists the strings it is given, tagged "all-<name before - or />" and "of-<persistence id>".
   */
  static final class Writer extends EventSourcedBehavior<Command, String, List<String>> {
    private final String pid;

    private Writer(String id) {
      super(PersistenceId.of("Writer", id));
      this.pid = PersistenceId.of("Writer", id).id();
    }

    static Behavior<Command> create(String id) {
      return new Writer(id);
    }

    @Override
    public List<String> emptyState() {
      return List.of();
    }

    @Override
    public Set<String> tagsFor(String event) {
      return Set.of("all-" + event.replaceAll("[-/].*", ""), "of-" + pid);
    }

    @Override
    public CommandHandler<Command, String, List<String>> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(
              Persist.class,
              (state, c) ->
                  Effect().persist(c.events()).thenRun(s -> c.replyTo().tell(Done.getInstance())))
          .onCommand(Get.class, (state, c) -> Effect().none().thenRun(s -> c.replyTo().tell(s)))
          .build();
    }

    @Override
    public EventHandler<List<String>, String> eventHandler() {
      return newEventHandlerBuilder()
          .forAnyState()
          .onAnyEvent(
              (state, event) -> {
                List<String> next = new ArrayList<>(state);
                next.add(event);
                return next;
              });
    }
  }
}
