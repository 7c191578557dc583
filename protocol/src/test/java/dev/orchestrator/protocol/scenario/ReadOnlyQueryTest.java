package dev.orchestrator.protocol.scenario;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReadOnlyQueryTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "SELECT 1",
        "select count(*) from alarms where active;",
        "  WITH a AS (SELECT id FROM t) SELECT * FROM a  ",
        "SELECT status FROM machines WHERE name = 'oven-1'",
        "SELECT updated_at FROM t"
      })
  void reading(String query) {
    assertNull(ReadOnlyQuery.problem(query));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "DELETE FROM alarms",
        "UPDATE t SET a = 1",
        "SELECT 1; DROP TABLE t",
        "SELECT 1;;",
        "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
        "SELECT * INTO copy_of_t FROM t",
        "SELECT * FROM t FOR UPDATE",
        "SELECT * FROM t FOR SHARE",
        "SELECT pg_sleep(100)",
        "SELECT pg_terminate_backend(42)",
        "SELECT nextval('s')",
        "SELECT set_config('x', 'y', false)",
        "SELECT 1 -- comment",
        "SELECT /* x */ 1",
        "EXPLAIN ANALYZE DELETE FROM t",
        "selectx 1",
        "VALUES (1)"
      })
  void refused(String query) {
    assertNotNull(ReadOnlyQuery.problem(query), query);
  }
}
