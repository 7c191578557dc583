package dev.orchestrator.protocol.component;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ComponentSpecTest {
  private static final String ID = "oven-1";

  private static ComponentSpec http(String endpoint) {
    return new ComponentSpec("http", endpoint, null, null, null);
  }

  private static ComponentSpec simulated(List<String> groups, List<String> dependsOn) {
    return new ComponentSpec("simulated", null, groups, dependsOn, null);
  }

  private static ComponentSpec polledEvery(Duration pollInterval) {
    return new ComponentSpec("simulated", null, null, null, pollInterval);
  }

  private static List<String> names(int count) {
    return IntStream.range(0, count).mapToObj(i -> "n" + i).toList();
  }

  @Test
  void validSpecsHaveNoProblems() {
    assertEquals(List.of(), http("http://10.0.0.5:8001").problems(ID));
    assertEquals(List.of(), http("https://oven.plant.example/api").problems(ID));
    assertEquals(List.of(), simulated(null, null).problems(ID));
    assertEquals(
        List.of(),
        new ComponentSpec(
                "http",
                "http://localhost:8001",
                names(ComponentSpec.MAX_LIST),
                List.of("db", "queue-1"),
                ComponentSpec.MIN_POLL_INTERVAL)
            .problems(ID));
    assertEquals(List.of(), polledEvery(ComponentSpec.MAX_POLL_INTERVAL).problems(ID));
  }

  @Test
  void defaultsForMissingListsAndPollInterval() {
    ComponentSpec spec = new ComponentSpec("simulated", null, null, null, null);
    assertEquals(List.of(), spec.groups());
    assertEquals(List.of(), spec.dependsOn());
    assertEquals(ComponentSpec.DEFAULT_POLL_INTERVAL, spec.pollInterval());
    assertEquals(Duration.ofSeconds(1), spec.pollInterval());
  }

  @Test
  void listsAreCopiedAndImmutable() {
    List<String> groups = new ArrayList<>(List.of("ovens"));
    ComponentSpec spec = simulated(groups, null);
    groups.add("later");
    assertEquals(List.of("ovens"), spec.groups());
    assertThrows(UnsupportedOperationException.class, () -> spec.groups().add("x"));
    assertThrows(UnsupportedOperationException.class, () -> spec.dependsOn().add("x"));
  }

  @Test
  void driverIsRequired() {
    assertEquals(
        List.of("driver is required: one of http, simulated"),
        new ComponentSpec(null, null, null, null, null).problems(ID));
  }

  @Test
  void unknownDriver() {
    assertEquals(
        List.of("driver 'ssh' is unknown; use one of http, simulated"),
        new ComponentSpec("ssh", null, null, null, null).problems(ID));
  }

  @Test
  void httpNeedsAnEndpoint() {
    String expected = "endpoint is required for the http driver, such as http://10.0.0.5:8001";
    assertEquals(List.of(expected), http(null).problems(ID));
    assertEquals(List.of(expected), http("").problems(ID));
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://exa mple.com", "http://", "http://[::1", "10.0.0.5:8001"})
  void endpointThatIsNotAUrl(String endpoint) {
    assertEquals(List.of("endpoint '" + endpoint + "' is not a URL"), http(endpoint).problems(ID));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://files.example/", "localhost:8001", "/event", "mailto:a@b.c"})
  void endpointWithAnotherScheme(String endpoint) {
    assertEquals(
        List.of("endpoint '" + endpoint + "' must be an http:// or https:// URL"),
        http(endpoint).problems(ID));
  }

  @ParameterizedTest
  @ValueSource(strings = {"http:/event", "https:///event", "http://:8001"})
  void endpointWithoutHost(String endpoint) {
    assertEquals(List.of("endpoint '" + endpoint + "' has no host"), http(endpoint).problems(ID));
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://my_service:8001", "http://user@sensor_1/event"})
  void endpointHostWithUnderscoreIsAccepted(String endpoint) {
    assertEquals(List.of(), http(endpoint).problems(ID));
  }

  @Test
  void endpointTooLong() {
    String endpoint = "http://h/" + "a".repeat(2048);
    assertEquals(List.of("endpoint is longer than 2048 characters"), http(endpoint).problems(ID));
  }

  @Test
  void endpointOnlyForHttp() {
    assertEquals(
        List.of("endpoint is only for the http driver; remove it or set driver to http"),
        new ComponentSpec("simulated", "http://10.0.0.5:8001", null, null, null).problems(ID));
  }

  @Test
  void badGroupNames() {
    assertEquals(
        List.of(
            "groups: group name 'line 1' may contain only letters, digits, '_', '.' and '-',"
                + " and must start with a letter or digit",
            "groups: group name must not be empty"),
        simulated(List.of("ok", "line 1", ""), null).problems(ID));
  }

  @Test
  void badDependencyIds() {
    assertEquals(
        List.of("dependsOn: dependency id is 65 characters long; at most 64 allowed"),
        simulated(null, List.of("a".repeat(65))).problems(ID));
  }

  @Test
  void duplicates() {
    assertEquals(
        List.of("groups lists the same entry twice", "dependsOn lists the same entry twice"),
        simulated(List.of("ovens", "line-1", "ovens"), List.of("db", "db")).problems(ID));
  }

  @Test
  void tooManyEntries() {
    List<String> tooMany = names(ComponentSpec.MAX_LIST + 1);
    assertEquals(
        List.of(
            "groups has 65 entries; at most 64 allowed",
            "dependsOn has 65 entries; at most 64 allowed"),
        simulated(tooMany, tooMany).problems(ID));
  }

  @Test
  void dependsOnItself() {
    assertEquals(
        List.of("dependsOn names the component itself ('oven-1')"),
        simulated(null, List.of("db", ID)).problems(ID));
    assertEquals(List.of(), simulated(null, List.of("db", ID)).problems("oven-2"));
  }

  @ParameterizedTest
  @ValueSource(longs = {-1000, 0, 99, 3_600_001, 86_400_000})
  void pollIntervalOutOfRange(long millis) {
    assertEquals(
        List.of("pollInterval must be between 100ms and 1h"),
        polledEvery(Duration.ofMillis(millis)).problems(ID));
  }

  @ParameterizedTest
  @ValueSource(longs = {100, 101, 1000, 3_600_000})
  void pollIntervalInRange(long millis) {
    assertEquals(List.of(), polledEvery(Duration.ofMillis(millis)).problems(ID));
  }

  @Test
  void reportsEveryProblemAtOnce() {
    ComponentSpec spec =
        new ComponentSpec("ftp", "ftp://x", List.of("-bad"), List.of(ID, ID), Duration.ofMillis(1));
    assertEquals(
        List.of(
            "driver 'ftp' is unknown; use one of http, simulated",
            "endpoint is only for the http driver; remove it or set driver to http",
            "groups: group name '-bad' may contain only letters, digits, '_', '.' and '-',"
                + " and must start with a letter or digit",
            "dependsOn lists the same entry twice",
            "dependsOn names the component itself ('oven-1')",
            "pollInterval must be between 100ms and 1h"),
        spec.problems(ID));
  }
}
