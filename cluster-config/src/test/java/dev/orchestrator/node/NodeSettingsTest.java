package dev.orchestrator.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.orchestrator.node.testkit.TestNodes;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Defaults and validation of the {@code orchestrator.*} settings (the ORCH_* contract). */
class NodeSettingsTest {

  private static NodeSettings settings(String mode, Map<String, Object> overrides) {
    return NodeSettings.from(TestNodes.config(mode, overrides));
  }

  private static void assertRejected(String variable, String mode, Map<String, Object> overrides) {
    SettingsException e =
        assertThrows(
            SettingsException.class,
            () -> settings(mode, overrides),
            () -> "expected " + overrides + " to be rejected");
    assertTrue(
        e.getMessage().startsWith(variable + ": "),
        () -> "message should name " + variable + ": " + e.getMessage());
    assertFalse(e.getMessage().contains("\n"), () -> "one line: " + e.getMessage());
  }

  @Test
  void defaults() {
    NodeSettings s = settings("dev", Map.of());
    assertEquals(NodeSettings.Mode.DEV, s.mode());
    assertEquals("127.0.0.1", s.httpHost());
    assertEquals(8080, s.httpPort());
    assertEquals("127.0.0.1", s.nodeHost());
    assertEquals(25520, s.nodePort());
    assertEquals(List.of("gateway", "orchestrator", "worker"), s.roles());
    assertEquals(List.of(), s.seedNodes());
    assertEquals(Optional.empty(), s.externalDb());
    assertEquals(Optional.empty(), s.adminToken());
    assertTrue(s.dataDir().isAbsolute(), s.dataDir().toString());
    assertEquals(Path.of("data").toAbsolutePath().normalize(), s.dataDir());
    assertEquals(NodeSettings.Downing.KEEP_MAJORITY, s.downing());
  }

  @Test
  void leaseMajorityDowningFeedsTheSplitBrainResolverWithOurLease() {
    Map<String, Object> overrides =
        Map.of(
            "orchestrator.mode", "cluster",
            "orchestrator.db.url", "jdbc:postgresql://db.example:5432/orchestrator",
            "orchestrator.node.downing", "lease-majority");
    NodeSettings s = settings("cluster", overrides);
    assertEquals(NodeSettings.Downing.LEASE_MAJORITY, s.downing());
    var akka =
        Node.akkaConfig(s, s.externalDb().orElseThrow(), TestNodes.config("cluster", overrides));
    assertEquals(
        "lease-majority", akka.getString("akka.cluster.split-brain-resolver.active-strategy"));
    String lease =
        akka.getString("akka.cluster.split-brain-resolver.lease-majority.lease-implementation");
    assertEquals("dev.orchestrator.lease.PostgresLease", akka.getString(lease + ".lease-class"));
    assertEquals(
        "orchestrator.lease.singleton", akka.getString("orchestrator.singleton.use-lease"));
    assertEquals("", akka.getString("akka.cluster.singleton.use-lease"), "not the coordinators");
    var keep =
        settings(
            "cluster",
            Map.of(
                "orchestrator.mode", "cluster",
                "orchestrator.db.url", "jdbc:postgresql://db.example:5432/orchestrator"));
    assertEquals(
        "keep-majority",
        Node.akkaConfig(
                keep, keep.externalDb().orElseThrow(), TestNodes.config("cluster", Map.of()))
            .getString("akka.cluster.split-brain-resolver.active-strategy"));
  }

  @Test
  void theSchedulerTicksEveryMillisecondExceptOnWindowsWhereAkkaAllowsNoLessThanTen() {
    var config = TestNodes.config("cluster", Map.of());
    assertEquals(1, config.getDuration("akka.scheduler.tick-duration").toMillis());
    assertEquals(Optional.empty(), Node.schedulerTick(config, "Linux"));
    assertEquals(Optional.empty(), Node.schedulerTick(config, "Mac OS X"));
    assertEquals(Optional.of("10ms"), Node.schedulerTick(config, "Windows 11"));
    var coarse = TestNodes.config("cluster", Map.of("akka.scheduler.tick-duration", "20ms"));
    assertEquals(Optional.empty(), Node.schedulerTick(coarse, "Windows Server 2022"));
  }

  @Test
  void clusterModeWithExternalDatabaseAndSeeds() {
    NodeSettings s =
        settings(
            "cluster",
            Map.of(
                "orchestrator.mode", "cluster",
                "orchestrator.db.url", "jdbc:postgresql://db.example:5432/orchestrator",
                "orchestrator.node.seed-nodes", "10.0.0.1:25520, 10.0.0.2:25521",
                "orchestrator.node.roles", "gateway,worker"));
    assertEquals(NodeSettings.Mode.CLUSTER, s.mode());
    assertEquals(
        List.of(
            new NodeSettings.HostPort("10.0.0.1", 25520),
            new NodeSettings.HostPort("10.0.0.2", 25521)),
        s.seedNodes());
    assertEquals(List.of("gateway", "worker"), s.roles());
    assertEquals(
        "jdbc:postgresql://db.example:5432/orchestrator", s.externalDb().orElseThrow().url());
  }

  @Test
  void clusterModeJoinsTheSeedsOfOrchSeedNodesOrItself() {
    Map<String, Object> cluster = new HashMap<>();
    cluster.put("orchestrator.mode", "cluster");
    cluster.put("orchestrator.db.url", "jdbc:postgresql://db.example:5432/orchestrator");
    cluster.put("orchestrator.node.port", 25530);
    assertEquals(
        List.of(new akka.actor.Address("akka", "orchestrator", "127.0.0.1", 25530)),
        Node.seedAddresses(settings("cluster", cluster)));
    cluster.put("orchestrator.node.seed-nodes", "10.0.0.1:25520, db-2.example:25521");
    assertEquals(
        List.of(
            new akka.actor.Address("akka", "orchestrator", "10.0.0.1", 25520),
            new akka.actor.Address("akka", "orchestrator", "db-2.example", 25521)),
        Node.seedAddresses(settings("cluster", cluster)));
  }

  @ParameterizedTest(name = "{0} = ''{2}''")
  @CsvSource(
      delimiter = '|',
      value = {
        "ORCH_HTTP_PORT   | orchestrator.http.port        | abc",
        "ORCH_HTTP_PORT   | orchestrator.http.port        | 0",
        "ORCH_HTTP_PORT   | orchestrator.http.port        | 70000",
        "ORCH_HTTP_PORT   | orchestrator.http.port        | -1",
        "ORCH_NODE_PORT   | orchestrator.node.port        | abc",
        "ORCH_NODE_PORT   | orchestrator.node.port        | 65536",
        "ORCH_HTTP_HOST   | orchestrator.http.host        | bad host",
        "ORCH_DB_URL      | orchestrator.db.url           | mysql://x",
        "ORCH_DB_URL      | orchestrator.db.url           | jdbc:postgresql://",
        "ORCH_DB_URL      | orchestrator.db.url           | jdbc:postgresql://db.example:5432",
        "ORCH_DB_URL      | orchestrator.db.url           | jdbc:postgresql://db.example:5432/",
        "ORCH_DB_URL      | orchestrator.db.url           | jdbc:postgresql:///orchestrator",
        "ORCH_ROLES       | orchestrator.node.roles       | Gate way",
        "ORCH_ROLES       | orchestrator.node.roles       | Gateway",
        "ORCH_ROLES       | orchestrator.node.roles       | gateway,,worker",
        "ORCH_SEED_NODES  | orchestrator.node.seed-nodes  | nohostport",
        "ORCH_SEED_NODES  | orchestrator.node.seed-nodes  | 10.0.0.1:abc",
        "ORCH_MODE        | orchestrator.mode             | prod",
        "ORCH_DOWNING     | orchestrator.node.downing     | keep-oldest",
        "ORCH_DOWNING     | orchestrator.node.downing     | ''",
        "ORCH_ADMIN_TOKEN | orchestrator.admin-token      | short-token",
        "ORCH_CALLBACK_HOST | orchestrator.components.http.callback-host | bad host",
        "ORCH_CALLBACK_PORT | orchestrator.components.http.callback-port | abc",
        "ORCH_CALLBACK_PORT | orchestrator.components.http.callback-port | 70000",
        "ORCH_CALLBACK_PORT | orchestrator.components.http.callback-port | -1",
      })
  void badValueNamesTheVariable(String variable, String key, String value) {
    assertRejected(variable, "dev", Map.of(key, value));
  }

  @Test
  void componentsReplyToTheGatewayBindUnlessToldOtherwise() {
    NodeSettings bind =
        settings(
            "dev", Map.of("orchestrator.http.host", "10.0.0.9", "orchestrator.http.port", 9090));
    assertEquals("10.0.0.9", bind.callbackHost());
    assertEquals(9090, bind.callbackPort());
    assertFalse(bind.callbackIsWildcard());

    NodeSettings nat =
        settings(
            "dev",
            Map.of(
                "orchestrator.http.host", "0.0.0.0",
                "orchestrator.components.http.callback-host", "orchestrator.example",
                "orchestrator.components.http.callback-port", "18080"));
    assertEquals("orchestrator.example", nat.callbackHost());
    assertEquals(18080, nat.callbackPort());

    assertTrue(settings("dev", Map.of("orchestrator.http.host", "0.0.0.0")).callbackIsWildcard());
  }

  @Test
  void emptyRolesAreRejected() {
    assertRejected("ORCH_ROLES", "dev", Map.of("orchestrator.node.roles", ""));
  }

  @Test
  void emptyDataDirIsRejected() {
    assertRejected("ORCH_DATA_DIR", "dev", Map.of("orchestrator.data-dir", " "));
  }

  @Test
  void clusterModeNeedsAnExternalDatabase() {
    assertRejected("ORCH_DB_URL", "cluster", Map.of("orchestrator.mode", "cluster"));
  }

  @Test
  void adminTokenOfSixteenCharactersIsAccepted() {
    NodeSettings s = settings("dev", Map.of("orchestrator.admin-token", "0123456789abcdef"));
    assertEquals(Optional.of("0123456789abcdef"), s.adminToken());
    assertFalse(s.toString().contains("0123456789abcdef"), s.toString());
  }

  @Test
  void passwordsNeverAppearInToString() {
    Map<String, Object> values = new HashMap<>();
    values.put("orchestrator.mode", "cluster");
    values.put(
        "orchestrator.db.url",
        "jdbc:postgresql://db.example:5432/orchestrator?user=orch&password=urlSecret42&ssl=true");
    values.put("orchestrator.db.user", "orch");
    values.put("orchestrator.db.password", "envSecret42");
    NodeSettings s = settings("cluster", values);
    assertEquals("envSecret42", s.externalDb().orElseThrow().password());
    String text = s.toString();
    assertFalse(text.contains("urlSecret42"), text);
    assertFalse(text.contains("envSecret42"), text);
    assertTrue(text.contains("db.example:5432/orchestrator"), text);
    assertFalse(s.externalDb().orElseThrow().toString().contains("envSecret42"));
  }

  @Test
  void rejectedUrlDoesNotShowItsPassword() {
    SettingsException e =
        assertThrows(
            SettingsException.class,
            () ->
                settings(
                    "dev", Map.of("orchestrator.db.url", "mysql://db/x?password=urlSecret42")));
    assertTrue(e.getMessage().startsWith("ORCH_DB_URL: "), e.getMessage());
    assertFalse(e.getMessage().contains("urlSecret42"), e.getMessage());
  }
}
