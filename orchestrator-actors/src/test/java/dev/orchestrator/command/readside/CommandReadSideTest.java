package dev.orchestrator.command.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.persistence.query.Offset;
import akka.projection.eventsourced.EventEnvelope;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.orchestrator.command.CommandState;
import dev.orchestrator.db.Database;
import dev.orchestrator.db.DatabaseSettings;
import dev.orchestrator.db.EmbeddedDatabase;
import dev.orchestrator.db.PooledJdbcSession;
import dev.orchestrator.protocol.command.CommandEvent;
import dev.orchestrator.protocol.command.CommandEvent.AttemptFailed;
import dev.orchestrator.protocol.command.CommandEvent.AttemptStarted;
import dev.orchestrator.protocol.command.CommandEvent.CancelRequested;
import dev.orchestrator.protocol.command.CommandEvent.Cancelled;
import dev.orchestrator.protocol.command.CommandEvent.Failed;
import dev.orchestrator.protocol.command.CommandEvent.Submitted;
import dev.orchestrator.protocol.command.CommandEvent.Succeeded;
import dev.orchestrator.protocol.command.CommandEvent.Waiting;
import dev.orchestrator.protocol.command.CommandSpec;
import dev.orchestrator.protocol.command.CommandStatus;
import dev.orchestrator.protocol.command.CommandView;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CommandTableHandler} and {@link CommandRepository} on a real PostgreSQL with the real
 * migrations, each group written and committed in one session as the grouped projection does.
 */
class CommandReadSideTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2030-05-01T12:00:00.123Z");

  @TempDir static Path tempDir;
  private static EmbeddedDatabase server;
  private static Database database;
  private static DataSource dataSource;
  private static ExecutorService blocking;
  private static CommandRepository repository;

  private final CommandTableHandler handler = new CommandTableHandler();
  private final Map<String, Long> seqNrs = new HashMap<>();
  private final AtomicLong offsets = new AtomicLong();

  @BeforeAll
  static void startDatabase() throws Exception {
    server = EmbeddedDatabase.start(tempDir.resolve("pg"));
    database =
        Database.connect(
            new DatabaseSettings(
                server.jdbcUrl(), server.user(), server.password(), 4, Duration.ofSeconds(10)));
    database.migrate();
    dataSource = database.dataSource();
    blocking = Executors.newFixedThreadPool(2);
    repository = new CommandRepository(dataSource, blocking);
  }

  @AfterAll
  static void stopDatabase() throws Exception {
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

  @BeforeEach
  void emptyTable() throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("TRUNCATE commands");
    }
  }

  // ---------------------------------------------------------------- event -> row

  @Test
  void submittedIsPendingWithEverythingTheSpecSays() throws Exception {
    JsonNode input = JSON.readTree("{\"to\":\"a@b.c\",\"n\":[1,2.5,null],\"ok\":true}");
    CommandSpec spec =
        new CommandSpec(
            "send_email", input, "mailer", null, null, 3, null, "key-1", null, null, null);
    fold(new Submitted("c-1", spec, "parent-9", Duration.ofSeconds(30), T0));

    CommandView view = get("c-1");
    assertEquals("c-1", view.id());
    assertEquals("send_email", view.name());
    assertEquals(CommandStatus.PENDING, view.status());
    assertEquals(input, view.input());
    assertEquals("mailer", view.target());
    assertEquals(0, view.attempts());
    assertEquals(4, view.maxAttempts(), "retries + 1");
    assertNull(view.output());
    assertNull(view.error());
    assertNull(view.waitingFor());
    assertEquals("key-1", view.idempotencyKey());
    assertEquals("parent-9", view.parentId());
    assertEquals(List.of(), view.children());
    assertEquals(T0, view.createdAt());
    assertNull(view.scheduledAt());
    assertNull(view.startedAt());
    assertNull(view.nextAttemptAt());
    assertNull(view.finishedAt());
  }

  @Test
  void submittedWithoutInputTargetOrKeyUsesTheDefaults() throws Exception {
    fold(submitted("c-1", "noop"));
    CommandView view = get("c-1");
    assertNull(view.input());
    assertEquals(CommandSpec.DEFAULT_TARGET, view.target());
    assertEquals(1, view.maxAttempts());
    assertNull(view.idempotencyKey());
    assertNull(view.parentId());
  }

  @Test
  void scheduledAtInTheFutureAtEventTimeIsScheduledOtherwisePending() throws Exception {
    Instant later = T0.plusSeconds(60);
    Instant earlier = T0.minusSeconds(60);
    fold(
        new Submitted("later", spec("noop", later), null, null, T0),
        new Submitted("earlier", spec("noop", earlier), null, null, T0),
        new Submitted("now", spec("noop", T0), null, null, T0));

    assertEquals(CommandStatus.SCHEDULED, get("later").status());
    assertEquals(later, get("later").scheduledAt());
    assertEquals(later, get("later").nextAttemptAt(), "its first attempt is due then");
    assertEquals(CommandStatus.PENDING, get("earlier").status());
    assertEquals(earlier, get("earlier").scheduledAt());
    assertNull(get("earlier").nextAttemptAt());
    assertEquals(CommandStatus.PENDING, get("now").status());
  }

  @Test
  void attemptStartedIsRunningAndKeepsTheFirstStart() throws Exception {
    fold(submitted("c-1", "noop"), new AttemptStarted("c-1", 1, "node-a", T0.plusMillis(5)));
    CommandView first = get("c-1");
    assertEquals(CommandStatus.RUNNING, first.status());
    assertEquals(1, first.attempts());
    assertEquals(T0.plusMillis(5), first.startedAt());

    fold(
        new AttemptFailed("c-1", 1, "boom", false, false, T0.plusSeconds(2), T0.plusSeconds(1)),
        new AttemptStarted("c-1", 2, "node-b", T0.plusSeconds(2)));
    CommandView second = get("c-1");
    assertEquals(CommandStatus.RUNNING, second.status());
    assertEquals(2, second.attempts());
    assertEquals(T0.plusMillis(5), second.startedAt(), "started_at is the first start");
    assertNull(second.nextAttemptAt(), "the awaited attempt has started");
    assertEquals("boom", second.error(), "the last attempt's error stays visible");
  }

  @Test
  void attemptFailedIsPendingWithItsErrorAndNextAttempt() throws Exception {
    Instant retryAt = T0.plusSeconds(3);
    fold(
        submitted("c-1", "fail"),
        new AttemptStarted("c-1", 1, "node-a", T0.plusMillis(1)),
        new AttemptFailed(
            "c-1", 1, "connection refused", false, false, retryAt, T0.plusSeconds(1)));
    CommandView view = get("c-1");
    assertEquals(CommandStatus.PENDING, view.status());
    assertEquals(1, view.attempts());
    assertEquals("connection refused", view.error());
    assertEquals(retryAt, view.nextAttemptAt());
    assertNull(view.finishedAt());
  }

  @Test
  void timedOutAndInterruptedAttemptsArePendingAgain() throws Exception {
    fold(
        submitted("c-1", "sleep"),
        new AttemptStarted("c-1", 1, "node-a", T0),
        new AttemptFailed(
            "c-1", 1, "timed out after 1s", true, false, T0.plusSeconds(5), T0.plusSeconds(1)),
        submitted("c-2", "sleep"),
        new AttemptStarted("c-2", 1, "node-a", T0),
        new AttemptFailed(
            "c-2", 1, "node-a left", false, true, T0.plusSeconds(1), T0.plusSeconds(1)));
    assertEquals(CommandStatus.PENDING, get("c-1").status());
    assertEquals("timed out after 1s", get("c-1").error());
    assertEquals(T0.plusSeconds(5), get("c-1").nextAttemptAt());
    assertEquals(CommandStatus.PENDING, get("c-2").status());
    assertEquals("node-a left", get("c-2").error());
    assertEquals(1, get("c-2").attempts());
  }

  @Test
  void waitingIsPendingWithWhatItWaitsFor() throws Exception {
    fold(
        submitted("c-1", "noop"),
        new Waiting("c-1", "no node with role 'gpu' is up", T0.plusMillis(1)));
    CommandView waiting = get("c-1");
    assertEquals(CommandStatus.PENDING, waiting.status());
    assertEquals("no node with role 'gpu' is up", waiting.waitingFor());
    assertNull(waiting.nextAttemptAt());

    fold(new AttemptStarted("c-1", 1, "gpu-1", T0.plusSeconds(9)));
    CommandView running = get("c-1");
    assertEquals(CommandStatus.RUNNING, running.status());
    assertNull(running.waitingFor(), "nothing to wait for any more");
  }

  @Test
  void aRunningCommandWhoseNodeLeftWaitsAgain() throws Exception {
    fold(
        submitted("c-1", "noop"),
        new AttemptStarted("c-1", 1, "node-a", T0),
        new Waiting("c-1", "node-a left", T0.plusSeconds(1)));
    assertEquals(CommandStatus.PENDING, get("c-1").status());
    assertEquals("node-a left", get("c-1").waitingFor());
  }

  @Test
  void succeededKeepsTheOutputAndClearsEarlierErrors() throws Exception {
    JsonNode output = JSON.readTree("{\"messageId\":\"m-42\",\"sizes\":[1,2]}");
    fold(
        submitted("c-1", "send_email"),
        new AttemptStarted("c-1", 1, "node-a", T0),
        new AttemptFailed(
            "c-1", 1, "smtp 421", false, false, T0.plusSeconds(1), T0.plusMillis(500)),
        new AttemptStarted("c-1", 2, "node-a", T0.plusSeconds(1)),
        new Succeeded("c-1", 2, output, List.of(), T0.plusSeconds(2)));
    CommandView view = get("c-1");
    assertEquals(CommandStatus.SUCCEEDED, view.status());
    assertEquals(2, view.attempts());
    assertEquals(output, view.output());
    assertNull(view.error());
    assertNull(view.nextAttemptAt());
    assertEquals(T0, view.startedAt());
    assertEquals(T0.plusSeconds(2), view.finishedAt());
  }

  @Test
  void outputsOfEveryJsonShapeSurvive() throws Exception {
    List<JsonNode> outputs =
        List.of(
            JSON.readTree("\"text with 'quotes' and \\\"escapes\\\" and ü\""),
            JSON.readTree("42"),
            JSON.readTree("[]"),
            JsonNodeFactory.instance.nullNode());
    for (int i = 0; i < outputs.size(); i++) {
      String id = "c-" + i;
      fold(submitted(id, "noop"), new Succeeded(id, 1, outputs.get(i), List.of(), T0));
      assertEquals(outputs.get(i), get(id).output(), id);
    }
    fold(submitted("no-output", "noop"), new Succeeded("no-output", 1, null, List.of(), T0));
    assertNull(get("no-output").output());
  }

  @Test
  void failedEndsInTheStatusItCarries() throws Exception {
    for (CommandStatus status :
        List.of(CommandStatus.FAILED, CommandStatus.TIMED_OUT, CommandStatus.NOT_FOUND)) {
      String id = "c-" + status;
      fold(
          submitted(id, "fail"),
          new AttemptStarted(id, 1, "node-a", T0),
          new Failed(id, status, "because " + status, List.of(), T0.plusSeconds(1)));
      CommandView view = get(id);
      assertEquals(status, view.status());
      assertEquals("because " + status, view.error());
      assertEquals(T0.plusSeconds(1), view.finishedAt());
      assertTrue(view.status().isFinal());
    }
    fold(
        submitted("unknown", "no_such_handler"),
        new Failed(
            "unknown", CommandStatus.NOT_FOUND, "no handler 'no_such_handler'", List.of(), T0));
    assertEquals(CommandStatus.NOT_FOUND, get("unknown").status());
    assertEquals(0, get("unknown").attempts());
  }

  @Test
  void cancelRequestedKeepsRunningAndSaysSoThenCancelled() throws Exception {
    fold(
        submitted("c-1", "sleep"),
        new AttemptStarted("c-1", 1, "node-a", T0),
        new CancelRequested("c-1", "operator asked", T0.plusSeconds(1)));
    CommandView cancelling = get("c-1");
    assertEquals(CommandStatus.RUNNING, cancelling.status());
    assertEquals("cancelling: operator asked", cancelling.waitingFor());
    assertNull(cancelling.finishedAt());

    fold(new Cancelled("c-1", "operator asked", List.of(), T0.plusSeconds(2)));
    CommandView cancelled = get("c-1");
    assertEquals(CommandStatus.CANCELLED, cancelled.status());
    assertEquals("operator asked", cancelled.error());
    assertNull(cancelled.waitingFor());
    assertEquals(T0.plusSeconds(2), cancelled.finishedAt());
    assertEquals(1, cancelled.attempts());
  }

  @Test
  void aPendingCommandIsCancelledWithoutEverRunning() throws Exception {
    Instant later = T0.plusSeconds(3600);
    fold(
        new Submitted("c-1", spec("noop", later), null, null, T0),
        new Cancelled("c-1", null, List.of(), T0.plusSeconds(1)));
    CommandView view = get("c-1");
    assertEquals(CommandStatus.CANCELLED, view.status());
    assertEquals(0, view.attempts());
    assertNull(view.startedAt());
    assertEquals(later, view.scheduledAt());
  }

  @Test
  void aCancelWithoutReasonSaysCancelling() throws Exception {
    fold(
        submitted("c-1", "sleep"),
        new AttemptStarted("c-1", 1, "node-a", T0),
        new CancelRequested("c-1", null, T0));
    assertEquals("cancelling", get("c-1").waitingFor());
  }

  @Test
  void updatedAtFollowsTheLastEvent() throws Exception {
    fold(submitted("c-1", "noop"), new AttemptStarted("c-1", 1, "node-a", T0.plusSeconds(7)));
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        var rs = s.executeQuery("SELECT updated_at, seq_nr FROM commands WHERE id = 'c-1'")) {
      assertTrue(rs.next());
      assertEquals(T0.plusSeconds(7), rs.getObject(1, java.time.OffsetDateTime.class).toInstant());
      assertEquals(2, rs.getLong(2));
    }
  }

  /** The table and the entity's own view agree after the same events (children aside). */
  @Test
  void rowsSayWhatTheEntitySays() throws Exception {
    List<CommandEvent> life = retriedLife();
    List<CommandEvent> sofar = new ArrayList<>();
    for (CommandEvent event : life) {
      fold(event);
      sofar.add(event);
      assertEquals(entityView(sofar), get("c-1"), () -> "after " + event);
    }
  }

  /**
   * A life's events folded into one row in memory ({@link CommandRow}) say what the entity says,
   * whichever event the group ends with, and whatever event the next group starts with.
   */
  @Test
  void aLifeFoldedInOneGroupSaysWhatTheEntitySays() throws Exception {
    CommandSpec noRetries =
        new CommandSpec("noop", null, "worker", null, null, 0, null, null, null, null, null);
    List<List<CommandEvent>> lives =
        List.of(
            retriedLife(),
            List.of(
                new Submitted("c-1", noRetries, null, Duration.ofSeconds(5), T0),
                new AttemptStarted("c-1", 1, "node-a", T0.plusSeconds(60)),
                new CancelRequested("c-1", "enough", T0.plusSeconds(61)),
                new Cancelled("c-1", "enough", List.of(), T0.plusSeconds(62))),
            List.of(
                submitted("c-1", "fail"),
                new AttemptStarted("c-1", 1, "node-a", T0.plusMillis(1)),
                new Failed(
                    "c-1", CommandStatus.TIMED_OUT, "too slow", List.of(), T0.plusMillis(2))));
    for (List<CommandEvent> life : lives) {
      foldEveryWay(life);
    }
  }

  /** Folds every prefix of {@code life} as one group, then the events up to each later one. */
  private void foldEveryWay(List<CommandEvent> life) throws Exception {
    for (int end = 1; end <= life.size(); end++) {
      for (int split = end; split <= life.size(); split++) {
        emptyTable();
        seqNrs.clear();
        fold(life.subList(0, end).toArray(CommandEvent[]::new));
        fold(life.subList(end, split).toArray(CommandEvent[]::new));
        int upTo = split;
        assertEquals(
            entityView(life.subList(0, split)),
            get("c-1"),
            () -> "one group up to " + life.get(upTo - 1));
      }
    }
  }

  /**
   * A command whose events all arrive in one group is written once: one inserted row version, no
   * updates (each update would write a new row version and its four index entries).
   */
  @Test
  void aLifeInOneGroupIsOneRowWrite() throws Exception {
    List<EventEnvelope<CommandEvent>> group =
        List.of(
            envelope(submitted("c-1", "noop")),
            envelope(new AttemptStarted("c-1", 1, "node-a", T0.plusMillis(1))),
            envelope(new Succeeded("c-1", 1, JSON.readTree("{}"), List.of(), T0.plusMillis(2))));
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      long[] before = rowWrites(c);
      CommandTableHandler.write(c, group);
      long[] after = rowWrites(c);
      c.commit();
      assertEquals(1, after[0] - before[0], "row versions inserted");
      assertEquals(0, after[1] - before[1], "rows updated");
    }
    assertEquals(CommandStatus.SUCCEEDED, get("c-1").status());
    assertEquals(1, get("c-1").attempts());
  }

  /**
   * Rows inserted and updated in {@code commands} as this session's statistics count them so far
   * (PostgreSQL counts a transaction's own writes synchronously).
   */
  private static long[] rowWrites(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        java.sql.ResultSet r =
            s.executeQuery(
                "SELECT n_tup_ins, n_tup_upd FROM pg_stat_xact_user_tables"
                    + " WHERE relname = 'commands'")) {
      assertTrue(r.next());
      return new long[] {r.getLong(1), r.getLong(2)};
    }
  }

  /** Waits, fails, is interrupted, succeeds with a chained child. */
  private static List<CommandEvent> retriedLife() throws Exception {
    JsonNode input = JSON.readTree("{\"times\":1}");
    CommandSpec spec =
        new CommandSpec("fail", input, "worker", null, null, 2, null, "key", null, null, null);
    return List.of(
        new Submitted("c-1", spec, "parent", Duration.ofSeconds(5), T0),
        new Waiting("c-1", "no node with role 'worker' is up", T0.plusMillis(1)),
        new AttemptStarted("c-1", 1, "node-a", T0.plusMillis(2)),
        new AttemptFailed("c-1", 1, "boom", false, false, T0.plusSeconds(1), T0.plusMillis(3)),
        new AttemptStarted("c-1", 2, "node-b", T0.plusSeconds(1)),
        new AttemptFailed("c-1", 2, "lost", false, true, T0.plusSeconds(2), T0.plusSeconds(1)),
        new AttemptStarted("c-1", 3, "node-b", T0.plusSeconds(2)),
        new Succeeded(
            "c-1",
            3,
            JSON.readTree("{\"ok\":true}"),
            List.of(new CommandEvent.Child("c-2", spec)),
            T0.plusSeconds(3)));
  }

  /** What the entity's own view says after {@code life}, less the children the table lacks. */
  private static CommandView entityView(List<CommandEvent> life) {
    CommandState state = new CommandState.Empty();
    for (CommandEvent event : life) {
      state = state.apply(event);
    }
    CommandView entity = ((CommandState.Known) state).view();
    return new CommandView(
        entity.id(),
        entity.name(),
        entity.status(),
        entity.input(),
        entity.target(),
        entity.attempts(),
        entity.maxAttempts(),
        entity.output(),
        entity.error(),
        entity.waitingFor(),
        entity.idempotencyKey(),
        entity.parentId(),
        List.of(),
        entity.createdAt(),
        entity.scheduledAt(),
        entity.startedAt(),
        entity.nextAttemptAt(),
        entity.finishedAt());
  }

  // ---------------------------------------------------------------- chained children

  @Test
  void aFinalEventWritesItsChildrenUntilTheirOwnFirstEvent() throws Exception {
    CommandSpec childSpec = childSpec();
    fold(
        submitted("p-1", "noop"),
        new AttemptStarted("p-1", 1, "node-a", T0.plusMillis(1)),
        new Succeeded(
            "p-1", 1, null, List.of(new CommandEvent.Child("p-1-s", childSpec)), T0.plusMillis(2)));

    CommandView child = get("p-1-s");
    assertEquals(CommandStatus.PENDING, child.status());
    assertEquals("p-1", child.parentId());
    assertEquals("to be submitted by its parent p-1", child.waitingFor());
    assertEquals("worker", child.target());
    assertEquals(3, child.maxAttempts());
    assertEquals(JSON.readTree("{\"n\":2}"), child.input());
    OpenCommands.Open open = onlyOpen();
    assertEquals("p-1-s", open.id());
    assertFalse(open.submitted());
    assertEquals("p-1", open.entityToWake());

    fold(new Submitted("p-1-s", childSpec, "p-1", null, T0.plusMillis(3)));
    child = get("p-1-s");
    assertEquals(CommandStatus.PENDING, child.status());
    assertNull(child.waitingFor());
    assertEquals(T0.plusMillis(3), child.createdAt());
    open = onlyOpen();
    assertTrue(open.submitted());
    assertEquals("p-1-s", open.entityToWake());
  }

  @Test
  void aChildFoldedBeforeItsParentsFinalEventKeepsItsRow() throws Exception {
    CommandSpec childSpec = childSpec();
    fold(submitted("p-2", "noop"));
    fold(
        new Submitted("p-2-f", childSpec, "p-2", null, T0.plusMillis(1)),
        new AttemptStarted("p-2-f", 1, "node-a", T0.plusMillis(2)));
    fold(
        new Failed(
            "p-2",
            CommandStatus.FAILED,
            "no luck",
            List.of(new CommandEvent.Child("p-2-f", childSpec)),
            T0.plusMillis(3)));

    CommandView child = get("p-2-f");
    assertEquals(CommandStatus.RUNNING, child.status());
    assertEquals(1, child.attempts());
    assertNull(child.waitingFor());
    assertEquals("p-2-f", onlyOpen().entityToWake());
  }

  private static CommandSpec childSpec() throws Exception {
    return new CommandSpec(
        "noop", JSON.readTree("{\"n\":2}"), "worker", null, null, 2, null, null, null, null, null);
  }

  private static OpenCommands.Open onlyOpen() throws Exception {
    List<OpenCommands.Open> open =
        new OpenCommands(dataSource, blocking).read().toCompletableFuture().get();
    assertEquals(1, open.size(), () -> "open: " + open);
    return open.get(0);
  }

  // ---------------------------------------------------------------- groups, order, replays

  /**
   * Whole lives of many commands interleaved as a burst writes them, cut into groups of random
   * size: each command's events within a group must still be applied in order.
   */
  @Test
  void interleavedLivesInRandomGroupsEndAsTheirLastEventSays() throws Exception {
    Random random = new Random(7);
    int commands = 600;
    List<List<CommandEvent>> lives = new ArrayList<>();
    for (int i = 0; i < commands; i++) {
      String id = String.format("burst-%04d", i);
      List<CommandEvent> life = new ArrayList<>();
      life.add(submitted(id, i % 2 == 0 ? "noop" : "fail"));
      life.add(new AttemptStarted(id, 1, "node-a", T0.plusMillis(1)));
      switch (i % 6) {
        case 0 -> life.add(new Succeeded(id, 1, JSON.readTree("{\"i\":" + i + "}"), List.of(), T0));
        case 1 -> {
          life.add(
              new AttemptFailed(id, 1, "e", false, false, T0.plusSeconds(1), T0.plusMillis(2)));
          life.add(new AttemptStarted(id, 2, "node-b", T0.plusSeconds(1)));
          life.add(new Succeeded(id, 2, null, List.of(), T0.plusSeconds(2)));
        }
        case 2 ->
            life.add(
                new AttemptFailed(id, 1, "e", false, false, T0.plusSeconds(1), T0.plusMillis(2)));
        case 3 -> {
          life.add(new CancelRequested(id, "stop", T0.plusMillis(3)));
          life.add(new Cancelled(id, "stop", List.of(), T0.plusMillis(4)));
        }
        case 4 -> life.add(new Failed(id, CommandStatus.TIMED_OUT, "too slow", List.of(), T0));
        default -> {
          life.add(new AttemptFailed(id, 1, "e1", false, false, T0.plusSeconds(1), T0));
          life.add(new Waiting(id, "no worker", T0.plusMillis(500)));
          life.add(new AttemptStarted(id, 2, "node-b", T0.plusSeconds(1)));
        }
      }
      lives.add(life);
    }
    // Interleave: repeatedly take the next event of a random command that still has some.
    List<EventEnvelope<CommandEvent>> stream = new ArrayList<>();
    List<Integer> positions = new ArrayList<>(Collections.nCopies(commands, 0));
    List<Integer> open = new ArrayList<>();
    for (int i = 0; i < commands; i++) {
      open.add(i);
    }
    while (!open.isEmpty()) {
      int slot = random.nextInt(Math.min(open.size(), 40));
      int command = open.get(slot);
      int position = positions.get(command);
      stream.add(envelope(lives.get(command).get(position)));
      if (position + 1 == lives.get(command).size()) {
        open.remove(slot);
      } else {
        positions.set(command, position + 1);
      }
    }
    int from = 0;
    int groups = 0;
    while (from < stream.size()) {
      int to = Math.min(stream.size(), from + 1 + random.nextInt(400));
      commit(stream.subList(from, to));
      from = to;
      groups++;
    }
    assertTrue(groups > 5, "several groups");

    List<CommandView> all = repository.list(null, null, null, 10_000).toCompletableFuture().get();
    assertEquals(commands, all.size());
    for (int i = 0; i < commands; i++) {
      assertEquals(entityView(lives.get(i)), all.get(i), all.get(i).id());
    }
    Map<CommandStatus, Long> counts = repository.countsByStatus().toCompletableFuture().get();
    assertEquals(200L, counts.get(CommandStatus.SUCCEEDED));
    assertEquals(100L, counts.get(CommandStatus.PENDING));
    assertEquals(100L, counts.get(CommandStatus.CANCELLED));
    assertEquals(100L, counts.get(CommandStatus.TIMED_OUT));
    assertEquals(100L, counts.get(CommandStatus.RUNNING));
    CommandView retried = get("burst-0005");
    assertEquals(CommandStatus.RUNNING, retried.status());
    assertEquals(2, retried.attempts());
    assertEquals("e1", retried.error());
    assertNull(retried.waitingFor());
  }

  @Test
  void replayingEventsChangesNothing() throws Exception {
    List<EventEnvelope<CommandEvent>> life =
        List.of(
            envelope(submitted("c-1", "noop")),
            envelope(new AttemptStarted("c-1", 1, "node-a", T0)),
            envelope(new AttemptFailed("c-1", 1, "e", false, false, T0.plusSeconds(1), T0)),
            envelope(new AttemptStarted("c-1", 2, "node-a", T0.plusSeconds(1))),
            envelope(new Succeeded("c-1", 2, JSON.readTree("1"), List.of(), T0.plusSeconds(2))));
    commit(life);
    CommandView done = get("c-1");

    commit(life);
    commit(life.subList(0, 3));
    commit(life.subList(1, 2));
    assertEquals(done, get("c-1"));
    assertEquals(CommandStatus.SUCCEEDED, get("c-1").status());
  }

  @Test
  void aFailingGroupRollsBackWhole() throws Exception {
    EventEnvelope<CommandEvent> fine = envelope(submitted("c-1", "noop"));
    // 65 characters: longer than the id column, so the second insert fails.
    EventEnvelope<CommandEvent> tooLong = envelope(submitted("x".repeat(65), "noop"));
    PooledJdbcSession session = new PooledJdbcSession(dataSource);
    try {
      assertThrows(Exception.class, () -> handler.process(session, List.of(fine, tooLong)));
      session.rollback();
    } finally {
      session.close();
    }
    assertEquals(List.of(), repository.list(null, null, null, 10).toCompletableFuture().get());
  }

  // ---------------------------------------------------------------- queries

  @Test
  void listPagesByIdWithFilters() throws Exception {
    List<CommandEvent> events = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      String id = String.format("cmd-%02d", i);
      events.add(submitted(id, i % 3 == 0 ? "send_email" : "noop"));
      if (i % 2 == 0) {
        events.add(new AttemptStarted(id, 1, "node-a", T0));
        events.add(new Succeeded(id, 1, null, List.of(), T0));
      }
    }
    fold(events.toArray(CommandEvent[]::new));

    List<String> firstPage = ids(repository.list(null, null, null, 10));
    assertEquals(range(0, 10), firstPage);
    List<String> secondPage = ids(repository.list(null, null, "cmd-09", 10));
    assertEquals(range(10, 20), secondPage);
    List<String> lastPage = ids(repository.list(null, null, "cmd-19", 10));
    assertEquals(range(20, 25), lastPage);
    assertEquals(List.of(), ids(repository.list(null, null, "cmd-24", 10)));
    assertEquals(
        List.of("cmd-10", "cmd-11"),
        ids(repository.list(null, null, "cmd-09x", 2)),
        "after need not be an existing id");

    List<String> succeeded = ids(repository.list(CommandStatus.SUCCEEDED, null, null, 100));
    assertEquals(13, succeeded.size());
    assertTrue(succeeded.stream().allMatch(id -> Integer.parseInt(id.substring(4)) % 2 == 0));
    assertEquals(
        List.of("cmd-14", "cmd-16"),
        ids(repository.list(CommandStatus.SUCCEEDED, null, "cmd-12", 2)));

    assertEquals(
        List.of(
            "cmd-00", "cmd-03", "cmd-06", "cmd-09", "cmd-12", "cmd-15", "cmd-18", "cmd-21",
            "cmd-24"),
        ids(repository.list(null, "send_email", null, 100)));
    assertEquals(
        List.of("cmd-03", "cmd-09", "cmd-15", "cmd-21"),
        ids(repository.list(CommandStatus.PENDING, "send_email", null, 100)));
    assertEquals(
        List.of("cmd-15"), ids(repository.list(CommandStatus.PENDING, "send_email", "cmd-09", 1)));
    assertEquals(List.of(), ids(repository.list(CommandStatus.RUNNING, null, null, 100)));
    assertEquals(List.of(), ids(repository.list(null, "unknown", null, 100)));
  }

  @Test
  void aListedCommandHasTheSameViewAsItsRow() throws Exception {
    JsonNode input = JSON.readTree("{\"millis\":5}");
    fold(
        new Submitted(
            "c-1",
            new CommandSpec("sleep", input, "worker", null, null, 2, null, "k", null, null, null),
            "p",
            null,
            T0),
        new AttemptStarted("c-1", 1, "node-a", T0.plusSeconds(1)));
    CommandView view = repository.list(null, null, null, 1).toCompletableFuture().get().get(0);
    assertEquals(
        new CommandView(
            "c-1",
            "sleep",
            CommandStatus.RUNNING,
            input,
            "worker",
            1,
            3,
            null,
            null,
            null,
            "k",
            "p",
            List.of(),
            T0,
            null,
            T0.plusSeconds(1),
            null,
            null),
        view);
  }

  @Test
  void aLimitBelowOneIsRefused() {
    CompletionException e =
        assertThrows(
            CompletionException.class,
            () -> repository.list(null, null, null, 0).toCompletableFuture().join());
    assertInstanceOf(IllegalArgumentException.class, e.getCause());
  }

  @Test
  void countsHaveEveryStatusZeroWhenNone() throws Exception {
    Map<CommandStatus, Long> empty = repository.countsByStatus().toCompletableFuture().get();
    Map<CommandStatus, Long> zeros = new EnumMap<>(CommandStatus.class);
    for (CommandStatus status : CommandStatus.values()) {
      zeros.put(status, 0L);
    }
    assertEquals(zeros, empty);
    assertEquals(List.of(CommandStatus.values()), List.copyOf(empty.keySet()), "in enum order");

    fold(
        submitted("a", "noop"),
        submitted("b", "noop"),
        new Submitted("c", spec("noop", T0.plusSeconds(60)), null, null, T0),
        new AttemptStarted("a", 1, "n", T0),
        new Failed("b", CommandStatus.NOT_FOUND, "no handler", List.of(), T0));
    Map<CommandStatus, Long> counts = repository.countsByStatus().toCompletableFuture().get();
    Map<CommandStatus, Long> want = new EnumMap<>(zeros);
    want.put(CommandStatus.RUNNING, 1L);
    want.put(CommandStatus.NOT_FOUND, 1L);
    want.put(CommandStatus.SCHEDULED, 1L);
    assertEquals(want, counts);
  }

  // ---------------------------------------------------------------- helpers

  private static CommandSpec spec(String name, Instant scheduledAt) {
    return new CommandSpec(name, null, null, scheduledAt, null, 0, null, null, null, null, null);
  }

  private static Submitted submitted(String id, String name) {
    return new Submitted(id, spec(name, null), null, null, T0);
  }

  /** The envelope the read journal would deliver: next offset, next sequence number of the id. */
  private EventEnvelope<CommandEvent> envelope(CommandEvent event) {
    long seqNr = seqNrs.merge(event.id(), 1L, Long::sum);
    return EventEnvelope.create(
        Offset.sequence(offsets.incrementAndGet()),
        "Command|" + event.id(),
        seqNr,
        event,
        event.at().toEpochMilli());
  }

  /** Folds {@code events} as one group. */
  private void fold(CommandEvent... events) throws Exception {
    List<EventEnvelope<CommandEvent>> group = new ArrayList<>();
    for (CommandEvent event : events) {
      group.add(envelope(event));
    }
    commit(group);
  }

  /** Processes and commits one group in one session, as JdbcProjection.groupedWithin does. */
  private void commit(List<EventEnvelope<CommandEvent>> group) throws Exception {
    PooledJdbcSession session = new PooledJdbcSession(dataSource);
    try {
      handler.process(session, group);
      session.commit();
    } catch (Exception e) {
      session.rollback();
      throw e;
    } finally {
      session.close();
    }
  }

  private static CommandView get(String id) throws Exception {
    List<CommandView> found =
        repository.list(null, null, null, 10_000).toCompletableFuture().get().stream()
            .filter(view -> view.id().equals(id))
            .toList();
    assertEquals(1, found.size(), () -> "no row " + id);
    return found.get(0);
  }

  private static List<String> ids(java.util.concurrent.CompletionStage<List<CommandView>> page)
      throws Exception {
    return page.toCompletableFuture().get().stream().map(CommandView::id).toList();
  }

  private static List<String> range(int from, int to) {
    List<String> ids = new ArrayList<>();
    for (int i = from; i < to; i++) {
      ids.add(String.format("cmd-%02d", i));
    }
    return ids;
  }
}
