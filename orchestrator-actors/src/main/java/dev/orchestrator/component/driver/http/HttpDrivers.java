package dev.orchestrator.component.driver.http;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.Extension;
import akka.actor.typed.ExtensionId;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orchestrator.component.driver.ComponentDriver;
import dev.orchestrator.protocol.component.ComponentSpec;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;

/**
 * What the {@code http} drivers of a node share: the settings, one non-blocking {@link HttpClient}
 * with the connect timeout, the JSON mapper and the event ids. Entities create their driver with
 * {@link #create}.
 */
public final class HttpDrivers implements Extension {
  /** Ids stay below 2^53, so that an id survives a JSON reader that keeps numbers as doubles. */
  private static final long MAX_ID = 1L << 53;

  private final ActorSystem<?> system;
  private final HttpDriverSettings settings;
  private final HttpClient client;
  private final ObjectMapper mapper;
  private final SecureRandom ids = new SecureRandom();

  private HttpDrivers(ActorSystem<?> system) {
    this.system = system;
    this.settings = HttpDriverSettings.from(system.settings().config());
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1) // avena listeners are plain HTTP/1.1 (uvicorn)
            .connectTimeout(settings.connectTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    this.mapper =
        JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
  }

  public static HttpDrivers get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  public HttpDriverSettings settings() {
    return settings;
  }

  /**
   * The driver of component {@code componentId}, whose spec must be an {@code http} one.
   *
   * @throws IllegalArgumentException when the spec does not name an http endpoint
   */
  public ComponentDriver create(String componentId, ComponentSpec spec) {
    if (!"http".equals(spec.driver())) {
      throw new IllegalArgumentException(
          "component '" + componentId + "' uses the " + spec.driver() + " driver, not http");
    }
    List<String> problems = spec.problems(componentId);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "component '" + componentId + "': " + String.join("; ", problems));
    }
    return new HttpDriver(componentId, endpoint(spec.endpoint()), this);
  }

  /** {@code endpoint} with {@code /event} appended to its path. */
  static URI endpoint(String endpoint) {
    try {
      URI base = new URI(endpoint);
      String path = base.getRawPath() == null ? "" : base.getRawPath();
      path = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
      return new URI(base.getScheme() + "://" + base.getRawAuthority() + path + "/event");
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("endpoint '" + endpoint + "' is not a URL", e);
    }
  }

  ActorSystem<?> system() {
    return system;
  }

  HttpClient client() {
    return client;
  }

  ObjectMapper mapper() {
    return mapper;
  }

  ReplyRouter router() {
    return ReplyRouter.get(system);
  }

  /**
   * A random event id: {@code POST /event} takes replies without a token, so the id of a pending
   * request must not be guessable from another one; random ids also keep the late replies of a
   * previous incarnation of the node from matching. Two pending ids collide with odds of about
   * 10^-8 at the 10,000 pending allowed by default.
   */
  long nextId() {
    return Math.max(1, ids.nextLong() & (MAX_ID - 1));
  }

  private static final class Id extends ExtensionId<HttpDrivers> {
    static final Id INSTANCE = new Id();

    @Override
    public HttpDrivers createExtension(ActorSystem<?> system) {
      return new HttpDrivers(system);
    }
  }
}
