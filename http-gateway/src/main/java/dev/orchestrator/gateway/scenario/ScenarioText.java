package dev.orchestrator.gateway.scenario;

import akka.http.javadsl.model.HttpCharset;
import akka.http.javadsl.model.MediaType;
import akka.http.javadsl.server.AllDirectives;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import akka.util.ByteString;
import dev.orchestrator.gateway.ApiException;
import dev.orchestrator.gateway.Json;
import dev.orchestrator.gateway.Problem;
import dev.orchestrator.protocol.scenario.Scenario;
import dev.orchestrator.protocol.scenario.ScenarioLoader;
import dev.orchestrator.protocol.scenario.ScenarioLoader.Format;
import dev.orchestrator.protocol.scenario.ScenarioProblem;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Reads a scenario from a request body, YAML or JSON by its media type, through {@link
 * ScenarioLoader} (safe parsing, validation). A body that does not load is answered 400 with a
 * problem whose detail lists every problem with its line, column and path, and whose {@code
 * problems} member has them one by one: {@code [{line, column, path, message}]}.
 */
final class ScenarioText extends AllDirectives {
  static final List<String> YAML_TYPES =
      List.of("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml");
  static final String JSON_TYPE = "application/json";

  /** One problem on the wire. */
  record Item(int line, int column, String path, String message) {}

  private final Json json;

  ScenarioText(Json json) {
    this.json = json;
  }

  /** Loads the body as the scenario of {@code file} (as problems name it), then {@code inner}. */
  Route load(String file, Function<Scenario, Route> inner) {
    return extractRequestEntity(
        requestEntity -> {
          Format format = format(requestEntity.getContentType().mediaType());
          Charset charset =
              requestEntity
                  .getContentType()
                  .getCharsetOption()
                  .map(HttpCharset::nioCharset)
                  .orElse(StandardCharsets.UTF_8);
          return entity(
              Unmarshaller.entityToByteString(),
              bytes -> {
                ScenarioLoader.Result result =
                    ScenarioLoader.load(file, decode(bytes, charset), format);
                if (result instanceof ScenarioLoader.Rejected rejected) {
                  return complete(rejected(rejected.problems()));
                }
                return inner.apply(((ScenarioLoader.Loaded) result).scenario());
              });
        });
  }

  private akka.http.javadsl.model.HttpResponse rejected(List<ScenarioProblem> problems) {
    String detail =
        (problems.size() == 1 ? "1 problem: " : problems.size() + " problems: ")
            + problems.stream().map(ScenarioText::describe).collect(Collectors.joining("; "));
    List<Item> items =
        problems.stream().map(p -> new Item(p.line(), p.column(), p.path(), p.message())).toList();
    return ProblemMembers.response(
        json,
        Problem.of(400, "invalid-scenario", "The scenario is not valid", detail),
        Map.of("problems", items));
  }

  /**
   * {@code line 3, column 5, at trigger.type: message}; whole-text problems say only the message.
   */
  static String describe(ScenarioProblem p) {
    StringBuilder text = new StringBuilder();
    if (p.line() > 0) {
      text.append("line ").append(p.line()).append(", column ").append(p.column());
    }
    if (!p.path().isEmpty()) {
      text.append(text.length() > 0 ? ", " : "").append("at ").append(p.path());
    }
    return text.length() == 0 ? p.message() : text.append(": ").append(p.message()).toString();
  }

  private static Format format(MediaType mediaType) {
    String type = mediaType.mainType() + "/" + mediaType.subType();
    if (type.equals(JSON_TYPE)) {
      return Format.JSON;
    }
    if (YAML_TYPES.contains(type)) {
      return Format.YAML;
    }
    throw new ApiException(
        Problem.of(
            415,
            "unsupported-media-type",
            "Unsupported media type",
            "a scenario is sent as YAML ("
                + String.join(", ", YAML_TYPES)
                + ") or JSON ("
                + JSON_TYPE
                + "), not "
                + type));
  }

  private static String decode(ByteString bytes, Charset charset) {
    try {
      return charset
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toArray()))
          .toString();
    } catch (CharacterCodingException e) {
      throw new ApiException(
          Problem.badRequest("the body is not " + charset.name() + " text: " + e.getMessage()));
    }
  }
}
