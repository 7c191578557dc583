package dev.orchestrator.scenario.condition;

import dev.orchestrator.protocol.scenario.Explanation;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leaf's JDBC work, run on the blocking executor so that leaves read at once and never on an
 * actor's thread. A database error makes the leaf false with the error in its detail.
 */
final class BlockingRead {
  private static final Logger log = LoggerFactory.getLogger(BlockingRead.class);

  /** The JDBC part of a leaf. */
  @FunctionalInterface
  interface Read {
    Explanation run() throws SQLException;
  }

  private BlockingRead() {}

  /**
   * @param condition the leaf's key, for the explanation of a failure
   * @param subject what the leaf looks at ({@code ups}, {@code command c-1}), its detail's start
   */
  static CompletionStage<Explanation> run(
      Executor executor, String condition, String subject, Read read) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return read.run();
          } catch (SQLException e) {
            String error = Texts.sqlError(e);
            // Debug: a condition evaluated every tick against a database that is down would
            // otherwise fill the log; the explanation carries the error.
            log.debug("{} condition on {} could not read: {}", condition, subject, error);
            return Explanation.leaf(condition, false, subject + ": cannot read: " + error);
          }
        },
        executor);
  }
}
