package dev.orchestrator.protocol.component;

import dev.orchestrator.protocol.Ids;
import dev.orchestrator.protocol.JsonSerializable;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;

/**
 * What an operator declares about a component: how to reach it and how it relates to others.
 *
 * @param driver {@code simulated} (in-process) or {@code http} (avena event protocol)
 * @param endpoint base URL of an {@code http} component, null for {@code simulated}
 * @param groups group names, for {@code group:name} targets
 * @param dependsOn ids of components that must be running before this one starts
 * @param pollInterval how often the driver asks the component for its state
 */
public record ComponentSpec(
    String driver,
    String endpoint,
    List<String> groups,
    List<String> dependsOn,
    Duration pollInterval)
    implements JsonSerializable {

  public static final Set<String> DRIVERS = Set.of("simulated", "http");
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);
  public static final Duration MIN_POLL_INTERVAL = Duration.ofMillis(100);
  public static final Duration MAX_POLL_INTERVAL = Duration.ofHours(1);
  public static final int MAX_LIST = 64;

  public ComponentSpec {
    groups = groups == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(groups));
    dependsOn =
        dependsOn == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(dependsOn));
    pollInterval = pollInterval == null ? DEFAULT_POLL_INTERVAL : pollInterval;
  }

  /** Everything wrong with this spec for component {@code id}; empty when it is acceptable. */
  public List<String> problems(String id) {
    List<String> problems = new ArrayList<>();
    if (driver == null) {
      problems.add("driver is required: one of " + String.join(", ", sorted(DRIVERS)));
    } else if (!DRIVERS.contains(driver)) {
      problems.add(
          "driver '" + driver + "' is unknown; use one of " + String.join(", ", sorted(DRIVERS)));
    }
    if ("http".equals(driver)) {
      String endpointProblem = endpointProblem(endpoint);
      if (endpointProblem != null) {
        problems.add(endpointProblem);
      }
    } else if (endpoint != null && !endpoint.isEmpty()) {
      problems.add("endpoint is only for the http driver; remove it or set driver to http");
    }
    checkList(problems, "groups", "group name", groups);
    checkList(problems, "dependsOn", "dependency id", dependsOn);
    if (dependsOn.contains(id)) {
      problems.add("dependsOn names the component itself ('" + id + "')");
    }
    if (pollInterval.compareTo(MIN_POLL_INTERVAL) < 0
        || pollInterval.compareTo(MAX_POLL_INTERVAL) > 0) {
      problems.add("pollInterval must be between 100ms and 1h");
    }
    return problems;
  }

  private static String endpointProblem(String endpoint) {
    if (endpoint == null || endpoint.isEmpty()) {
      return "endpoint is required for the http driver, such as http://10.0.0.5:8001";
    }
    if (endpoint.length() > 2048) {
      return "endpoint is longer than 2048 characters";
    }
    try {
      URI uri = new URI(endpoint);
      if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
        return "endpoint '" + endpoint + "' must be an http:// or https:// URL";
      }
      if (host(uri).isEmpty()) {
        return "endpoint '" + endpoint + "' has no host";
      }
      return null;
    } catch (Exception e) {
      return "endpoint '" + endpoint + "' is not a URL";
    }
  }

  /**
   * The host of a URL; {@link URI#getHost()} is null for names with '_' (docker-compose service
   * names), so it is taken from the authority then.
   */
  private static String host(URI uri) {
    if (uri.getHost() != null) {
      return uri.getHost();
    }
    String authority = uri.getAuthority() == null ? "" : uri.getAuthority();
    authority = authority.substring(authority.lastIndexOf('@') + 1);
    int colon = authority.lastIndexOf(':');
    return colon >= 0 ? authority.substring(0, colon) : authority;
  }

  private static void checkList(
      List<String> problems, String field, String what, List<String> values) {
    if (values.size() > MAX_LIST) {
      problems.add(field + " has " + values.size() + " entries; at most " + MAX_LIST + " allowed");
      return;
    }
    for (String value : values) {
      String problem = Ids.problem(what, value);
      if (problem != null) {
        problems.add(field + ": " + problem);
      }
    }
    if (values.stream().distinct().count() != values.size()) {
      problems.add(field + " lists the same entry twice");
    }
  }

  private static List<String> sorted(Set<String> values) {
    return values.stream().sorted().toList();
  }
}
