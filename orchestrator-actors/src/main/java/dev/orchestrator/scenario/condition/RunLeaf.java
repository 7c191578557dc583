package dev.orchestrator.scenario.condition;

import dev.orchestrator.protocol.scenario.Condition;
import dev.orchestrator.protocol.scenario.Explanation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * {@code run: {scenario, status}}: the newest run (by {@code created_at}) of the scenario in the
 * {@code scenario_runs} table; true when its status is one of {@code status}, false when the
 * scenario has not run yet.
 */
final class RunLeaf {
  private static final String NEWEST =
      "SELECT id, status FROM scenario_runs WHERE scenario = ? ORDER BY created_at DESC, id DESC"
          + " LIMIT 1";

  private final DataSource dataSource;
  private final Executor blocking;

  RunLeaf(DataSource dataSource, Executor blocking) {
    this.dataSource = dataSource;
    this.blocking = blocking;
  }

  CompletionStage<Explanation> evaluate(Condition.RunCheck leaf) {
    String subject = "run of " + leaf.scenario();
    return BlockingRead.run(
        blocking,
        "run",
        subject,
        () -> {
          try (Connection connection = dataSource.getConnection();
              PreparedStatement select = connection.prepareStatement(NEWEST)) {
            select.setString(1, leaf.scenario());
            try (ResultSet row = select.executeQuery()) {
              if (!row.next()) {
                return Explanation.leaf("run", false, subject + ": no run yet");
              }
              String status = row.getString("status");
              return Explanation.leaf(
                  "run",
                  Texts.isOneOf(status, leaf.status()),
                  subject
                      + ": newest is "
                      + row.getString("id")
                      + ", "
                      + Texts.status(status, leaf.status()));
            }
          }
        });
  }
}
