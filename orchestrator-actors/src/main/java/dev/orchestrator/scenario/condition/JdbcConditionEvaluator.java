package dev.orchestrator.scenario.condition;

import dev.orchestrator.protocol.scenario.Condition;
import dev.orchestrator.protocol.scenario.Explanation;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * The {@link ConditionEvaluator} of the orchestrator. Combinators are walked by {@link
 * ConditionWalker}, every child evaluated; the leaves read the query tables of the orchestrator's
 * own database ({@code components}, {@code commands}, {@code scenario_runs}), run read-only queries
 * on configured data sources ({@code database}), or look at the instant given ({@code time}).
 * Leaves that read run at once, on the blocking executor. {@link #close()} closes the pools of the
 * configured data sources.
 */
public final class JdbcConditionEvaluator implements ConditionEvaluator, AutoCloseable {
  private final ConditionWalker walker;
  private final Datasources datasources;
  private final ComponentLeaf component;
  private final HealthLeaf health;
  private final DatabaseLeaf database;
  private final CommandLeaf command;
  private final RunLeaf run;

  /**
   * @param own the orchestrator's database: the query tables, and the {@code default} data source
   * @param blocking where JDBC calls run ({@code Bootstrap.BLOCKING_DISPATCHER} in a node)
   * @param settings the configured data sources and the limits of {@code database} conditions
   */
  public JdbcConditionEvaluator(DataSource own, Executor blocking, DatasourceSettings settings) {
    Objects.requireNonNull(own, "own");
    Objects.requireNonNull(blocking, "blocking");
    Objects.requireNonNull(settings, "settings");
    this.datasources = new Datasources(own, settings);
    this.component = new ComponentLeaf(own, blocking);
    this.health = new HealthLeaf(own, blocking);
    this.database = new DatabaseLeaf(datasources, blocking, settings.maxRows());
    this.command = new CommandLeaf(own, blocking);
    this.run = new RunLeaf(own, blocking);
    this.walker = new ConditionWalker(this::leaf);
  }

  @Override
  public CompletionStage<Explanation> evaluate(Condition condition, Instant now) {
    return walker.evaluate(condition, now);
  }

  private CompletionStage<Explanation> leaf(Condition leaf, Instant now) {
    if (leaf instanceof Condition.Component c) {
      return component.evaluate(c.component(), now);
    } else if (leaf instanceof Condition.Health c) {
      return health.evaluate(c.health());
    } else if (leaf instanceof Condition.Time c) {
      return CompletableFuture.completedFuture(TimeLeaf.evaluate(c.time(), now));
    } else if (leaf instanceof Condition.Database c) {
      return database.evaluate(c.database());
    } else if (leaf instanceof Condition.Command c) {
      return command.evaluate(c.command());
    } else if (leaf instanceof Condition.Run c) {
      return run.evaluate(c.run());
    }
    throw new IllegalArgumentException("unknown condition: " + leaf);
  }

  /** Closes the pools of the configured data sources; database leaves are false from now on. */
  @Override
  public void close() {
    datasources.close();
  }
}
