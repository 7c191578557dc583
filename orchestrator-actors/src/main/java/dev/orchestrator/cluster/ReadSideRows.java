package dev.orchestrator.cluster;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import javax.sql.DataSource;

/** The entities an {@link EntityKeeper} keeps, as one query of a read side table. */
public final class ReadSideRows {
  private ReadSideRows() {}

  /**
   * Reads the rows of {@code sql} ({@code id, updated_at}: each id its own entity to wake) on the
   * {@code blocking} executor, for {@link EntityKeeper.Kept#rows}.
   */
  public static Supplier<CompletionStage<List<EntityKeeper.Row>>> of(
      DataSource dataSource, Executor blocking, String sql) {
    return () ->
        CompletableFuture.supplyAsync(
            () -> {
              try (Connection connection = dataSource.getConnection();
                  PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setFetchSize(1000);
                List<EntityKeeper.Row> rows = new ArrayList<>();
                try (ResultSet result = statement.executeQuery()) {
                  while (result.next()) {
                    String id = result.getString(1);
                    rows.add(new EntityKeeper.Row(id, id, result.getTimestamp(2).toInstant()));
                  }
                }
                return rows;
              } catch (SQLException e) {
                throw new IllegalStateException("cannot read " + sql + ": " + e.getMessage(), e);
              }
            },
            blocking);
  }
}
