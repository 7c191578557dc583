package dev.orchestrator.scenario.condition;

import dev.orchestrator.protocol.Durations;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.scenario.Condition;
import dev.orchestrator.protocol.scenario.Explanation;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * {@code component: {id, state, for}}: true when every component the id names is in one of the
 * states, and has been at least {@code for} ({@code components.state_since}) at the evaluation's
 * instant. A component whose time in its state is unknown (a row from before {@code state_since})
 * fails a {@code for}.
 */
final class ComponentLeaf {
  private final DataSource dataSource;
  private final Executor blocking;

  ComponentLeaf(DataSource dataSource, Executor blocking) {
    this.dataSource = dataSource;
    this.blocking = blocking;
  }

  CompletionStage<Explanation> evaluate(Condition.ComponentState leaf, Instant now) {
    return BlockingRead.run(
        blocking,
        "component",
        leaf.id(),
        () -> Targets.explain("component", leaf.id(), judge(leaf, now)));
  }

  private List<Targets.Judged> judge(Condition.ComponentState leaf, Instant now)
      throws SQLException {
    List<Targets.Judged> judged = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        PreparedStatement select = Targets.select(connection, "id, state, state_since", leaf.id());
        ResultSet rows = select.executeQuery()) {
      while (rows.next()) {
        Timestamp since = rows.getTimestamp("state_since");
        judged.add(
            judge(
                leaf,
                rows.getString("id"),
                rows.getString("state"),
                since == null ? null : since.toInstant(),
                now));
      }
    }
    return judged;
  }

  static Targets.Judged judge(
      Condition.ComponentState leaf, String id, String state, Instant since, Instant now) {
    String head = id + ": " + state;
    boolean inState = leaf.state().stream().map(FsmState::name).anyMatch(state::equals);
    if (!inState) {
      return new Targets.Judged(id, false, head + " (" + Texts.notIn(leaf.state()) + ")");
    }
    Duration in = since == null ? null : Duration.between(since, now);
    if (in != null && in.isNegative()) {
      // The event's node clock ran ahead of ours: it has been in the state for no time yet.
      in = Duration.ZERO;
    }
    Duration wanted = leaf.forAtLeast();
    if (wanted == null) {
      return new Targets.Judged(id, true, in == null ? head : head + " for " + Texts.duration(in));
    }
    if (in == null) {
      return new Targets.Judged(
          id,
          false,
          head + " since an unknown time (cannot tell >= " + Durations.format(wanted) + ")");
    }
    boolean longEnough = in.compareTo(wanted) >= 0;
    return new Targets.Judged(
        id,
        longEnough,
        head
            + " for "
            + Texts.duration(in)
            + (longEnough ? " (>= " : " (< ")
            + Durations.format(wanted)
            + ")");
  }
}
