package dev.orchestrator.command;

import static dev.orchestrator.command.CommandTestSupport.writeJournal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.projection.ProjectionId;
import akka.projection.javadsl.ProjectionManagement;
import dev.orchestrator.command.readside.CommandProjection;
import dev.orchestrator.command.readside.OpenCommands;
import dev.orchestrator.command.readside.OpenCommands.Open;
import dev.orchestrator.node.Node;
import dev.orchestrator.node.testkit.Await;
import dev.orchestrator.node.testkit.TestNodes;
import dev.orchestrator.protocol.command.CommandEvent.AttemptStarted;
import dev.orchestrator.protocol.command.CommandEvent.Submitted;
import dev.orchestrator.protocol.command.CommandEvent.Succeeded;
import dev.orchestrator.protocol.command.CommandSpec;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OpenCommands#unfolded} finds the unfinished commands the journal holds past the {@code
 * commands} projection's committed offsets, as a node that died with its projection instances
 * leaves them: here the projection is paused (Akka Projections' management) while the journal gets
 * more events, on a real node and PostgreSQL.
 */
class UnfoldedCommandsTest {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  @TempDir Path dataDir;

  private Node node;
  private ExecutorService blocking;

  @AfterEach
  void stop() throws Exception {
    if (blocking != null) {
      blocking.shutdownNow();
    }
    if (node != null) {
      TestNodes.stop(node);
    }
  }

  @Test
  void onlyUnfinishedCommandsPastTheFoldedOffsetsAreListed() throws Exception {
    node = TestNodes.startReadyDev(dataDir);
    DataSource dataSource = node.services().database().dataSource();
    blocking = Executors.newSingleThreadExecutor();
    OpenCommands open = new OpenCommands(dataSource, blocking);
    Instant now = Instant.now();

    // Folded before the pause: a finished command in every tag (so that each has an offset) and
    // a scheduled one the read side lists as open.
    for (String tag : CommandTags.TAGS) {
      String id = idInTag("done", tag);
      writeJournal(node.system(), id, submitted(id, null, now), started(id), succeeded(id));
    }
    writeJournal(
        node.system(), "folded-open", submitted("folded-open", now.plus(Duration.ofHours(1)), now));
    Await.until(
        DEADLINE,
        () -> {
          assertEquals(
              CommandTags.TAGS.size(), offsets(dataSource), "every tag's projection committed");
          assertTrue(ids(open.read().toCompletableFuture().get()).containsKey("folded-open"));
        });
    Await.until(
        DEADLINE,
        () ->
            assertEquals(
                List.of(),
                unfoldedOfThisTest(open),
                "nothing past the offsets while the projection runs"));

    ProjectionManagement management = ProjectionManagement.get(node.system());
    for (String tag : CommandTags.TAGS) {
      management.pause(ProjectionId.of(CommandProjection.NAME, tag)).toCompletableFuture().get();
    }
    Instant before = Instant.now();
    writeJournal(
        node.system(), "tail-open", submitted("tail-open", null, now), started("tail-open"));
    writeJournal(
        node.system(),
        "tail-done",
        submitted("tail-done", null, now),
        started("tail-done"),
        succeeded("tail-done"));

    List<Open> unfolded = open.unfolded().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(List.of("tail-open"), ofThisTest(unfolded), () -> "unfolded: " + unfolded);
    Open tail = ids(unfolded).get("tail-open");
    assertEquals("tail-open", tail.entityToWake());
    assertFalse(tail.updatedAt().isBefore(before.minusSeconds(1)), tail::toString);
    assertFalse(
        ids(open.read().toCompletableFuture().get()).containsKey("tail-open"),
        "the table does not know it yet: only the journal does");

    for (String tag : CommandTags.TAGS) {
      management.resume(ProjectionId.of(CommandProjection.NAME, tag)).toCompletableFuture().get();
    }
    Await.until(
        DEADLINE, () -> assertEquals(List.of(), unfoldedOfThisTest(open), "folded once resumed"));
  }

  /** The ids {@link OpenCommands#unfolded} lists that this test wrote, sorted. */
  private static List<String> unfoldedOfThisTest(OpenCommands open) throws Exception {
    return ofThisTest(open.unfolded().toCompletableFuture().get(30, TimeUnit.SECONDS));
  }

  private static List<String> ofThisTest(List<Open> open) {
    return open.stream()
        .map(Open::id)
        .filter(id -> id.startsWith("tail-") || id.startsWith("folded-") || id.startsWith("done-"))
        .sorted()
        .toList();
  }

  private static Map<String, Open> ids(List<Open> open) {
    return open.stream().collect(Collectors.toMap(Open::id, Function.identity(), (a, b) -> a));
  }

  private static int offsets(DataSource dataSource) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT count(*) FROM akka_projection_offset_store WHERE projection_name = ?")) {
      s.setString(1, CommandProjection.NAME);
      try (ResultSet r = s.executeQuery()) {
        r.next();
        return r.getInt(1);
      }
    }
  }

  private static String idInTag(String prefix, String tag) {
    for (int i = 0; ; i++) {
      String id = prefix + "-" + i;
      if (CommandTags.tagFor(id).equals(tag)) {
        return id;
      }
    }
  }

  private static Submitted submitted(String id, Instant scheduledAt, Instant at) {
    CommandSpec spec =
        new CommandSpec("noop", null, null, scheduledAt, null, 0, null, null, null, null, null);
    return new Submitted(id, spec, null, Duration.ofSeconds(30), at);
  }

  private static AttemptStarted started(String id) {
    return new AttemptStarted(id, 1, "gone", Instant.now());
  }

  private static Succeeded succeeded(String id) {
    return new Succeeded(id, 1, null, List.of(), Instant.now());
  }
}
