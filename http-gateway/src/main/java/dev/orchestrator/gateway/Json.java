package dev.orchestrator.gateway;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.marshallers.jackson.Jackson;
import akka.http.javadsl.marshalling.Marshaller;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.RequestEntity;
import akka.serialization.jackson.JacksonObjectMapperProvider;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * JSON on the wire, through Akka's configured Jackson mapper ({@code orchestrator-http} binding:
 * unknown fields and type coercions are refused, dates are ISO-8601).
 */
public final class Json {
  public static final ContentType PROBLEM_JSON =
      ContentTypes.create(
          MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8));

  private final ObjectMapper mapper;

  public Json(ActorSystem<?> system) {
    ObjectMapper shared =
        JacksonObjectMapperProvider.get(system).getOrCreate("orchestrator-http", Optional.empty());
    // ALLOW_COERCION_OF_SCALARS does not cover text targets: without this, {"driver": 5} would be
    // read as the string "5". A number or boolean where a string is expected is a wrong type.
    this.mapper = shared.copy();
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
  }

  public ObjectMapper mapper() {
    return mapper;
  }

  public <T> Marshaller<T, RequestEntity> marshaller() {
    return Jackson.marshaller(mapper);
  }

  public HttpEntity.Strict problemEntity(Problem problem) {
    try {
      return akka.http.javadsl.model.HttpEntities.create(
          PROBLEM_JSON, mapper.writeValueAsBytes(problem));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses a request body, turning every Jackson complaint into a 400 a person can act on. */
  public <T> T read(String body, Class<T> type) {
    if (body == null || body.isBlank()) {
      throw new ApiException(Problem.malformedJson("the request needs a JSON body"));
    }
    T value;
    try {
      value = mapper.readValue(body, type);
    } catch (UnrecognizedPropertyException e) {
      throw new ApiException(
          Problem.malformedJson(
              "unknown field '"
                  + e.getPropertyName()
                  + "'"
                  + location(e)
                  + "; known fields: "
                  + e.getKnownPropertyIds().stream()
                      .map(Object::toString)
                      .sorted()
                      .collect(Collectors.joining(", "))));
    } catch (InvalidFormatException e) {
      throw new ApiException(
          Problem.malformedJson(
              "field '"
                  + path(e)
                  + "' has the value "
                  + e.getValue()
                  + ", which is not a "
                  + e.getTargetType().getSimpleName()
                  + location(e)));
    } catch (MismatchedInputException e) {
      String field = path(e);
      throw new ApiException(
          Problem.malformedJson(
              (field.isEmpty() ? "the body" : "field '" + field + "'")
                  + " has the wrong type; expected "
                  + describe(e.getTargetType())
                  + location(e)));
    } catch (JsonProcessingException e) {
      throw new ApiException(
          Problem.malformedJson(
              "the body is not valid JSON: " + e.getOriginalMessage() + location(e)));
    }
    if (value == null) {
      throw new ApiException(Problem.malformedJson("the body must be a JSON object, not null"));
    }
    return value;
  }

  private static String path(MismatchedInputException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."))
        .replace(".[", "[");
  }

  private static String describe(Class<?> type) {
    if (type == null) {
      return "another type";
    }
    if (java.util.Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    if (type == String.class) {
      return "a string";
    }
    if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
      return "a number";
    }
    if (type == Boolean.class) {
      return "true or false";
    }
    return "an object";
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " (line "
            + e.getLocation().getLineNr()
            + ", column "
            + e.getLocation().getColumnNr()
            + ")";
  }
}
