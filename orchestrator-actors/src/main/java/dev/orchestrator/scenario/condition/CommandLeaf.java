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
 * {@code command: {id | name, status}}: the durable command with that id, or the newest (by {@code
 * created_at}) with that handler name, from the {@code commands} table; true when its status is one
 * of {@code status}, false when there is no such command.
 */
final class CommandLeaf {
  private static final String BY_ID = "SELECT id, name, status FROM commands WHERE id = ?";
  private static final String NEWEST_BY_NAME =
      "SELECT id, name, status FROM commands WHERE name = ? ORDER BY created_at DESC, id DESC"
          + " LIMIT 1";

  private final DataSource dataSource;
  private final Executor blocking;

  CommandLeaf(DataSource dataSource, Executor blocking) {
    this.dataSource = dataSource;
    this.blocking = blocking;
  }

  CompletionStage<Explanation> evaluate(Condition.CommandCheck leaf) {
    boolean byId = leaf.id() != null;
    String subject = "command " + (byId ? leaf.id() : leaf.name());
    return BlockingRead.run(
        blocking,
        "command",
        subject,
        () -> {
          try (Connection connection = dataSource.getConnection();
              PreparedStatement select =
                  connection.prepareStatement(byId ? BY_ID : NEWEST_BY_NAME)) {
            select.setString(1, byId ? leaf.id() : leaf.name());
            try (ResultSet row = select.executeQuery()) {
              if (!row.next()) {
                return Explanation.leaf(
                    "command", false, subject + (byId ? ": not found" : ": none yet"));
              }
              String status = row.getString("status");
              boolean value = Texts.isOneOf(status, leaf.status());
              String seen =
                  byId
                      ? " (" + row.getString("name") + "): "
                      : ": newest is " + row.getString("id") + ", ";
              return Explanation.leaf(
                  "command", value, subject + seen + Texts.status(status, leaf.status()));
            }
          }
        });
  }
}
