package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The first pass of {@link ScenarioLoader}: a tree of the document plus the location of every key
 * and value by path, with the YAML features and sizes scenario files may not use refused on the
 * way; and the translation of later errors, found by path, back to lines and columns.
 */
final class LocatingReader {
  private final String file;
  final Map<String, JsonLocation> values = new HashMap<>();
  final Map<String, JsonLocation> keys = new HashMap<>();
  private int nodes;

  LocatingReader(String file) {
    this.file = file;
  }

  JsonNode document(JsonParser p) throws IOException {
    JsonToken first = p.nextToken();
    if (first == null) {
      throw refused(
          "", p.currentLocation(), "the file is empty; a scenario needs name, trigger and actions");
    }
    JsonNode root = node(p, "", 0);
    if (!root.isObject()) {
      throw refused(
          "",
          values.get(""),
          "a scenario is a mapping of fields (name, trigger,"
              + " actions, ...), not a "
              + root.getNodeType().toString().toLowerCase(Locale.ROOT));
    }
    if (p.nextToken() != null) {
      throw refused(
          "", p.currentTokenLocation(), "one scenario per file: a second document starts here");
    }
    return root;
  }

  private JsonNode node(JsonParser p, String path, int depth) throws IOException {
    JsonLocation location = p.currentTokenLocation();
    values.put(path, location);
    if (++nodes > ScenarioLoader.MAX_NODES) {
      throw refused(
          path, location, "more than " + ScenarioLoader.MAX_NODES + " values in one file");
    }
    if (p instanceof YAMLParser yaml) {
      if (yaml.isCurrentAlias()) {
        throw refused(
            path,
            location,
            "YAML aliases (*" + yaml.getText() + ") are not allowed in scenario files");
      }
      if (yaml.getObjectId() != null) {
        throw refused(
            path,
            location,
            "YAML anchors (&" + yaml.getObjectId() + ") are not allowed in scenario files");
      }
      String tag = yaml.getTypeId();
      if (tag != null) {
        String shown =
            tag.startsWith("tag:yaml.org,2002:")
                ? "!!" + tag.substring("tag:yaml.org,2002:".length())
                : "!" + tag;
        throw refused(
            path, location, "YAML tags (" + shown + ") are not allowed in scenario files");
      }
    }
    JsonNodeFactory f = JsonNodeFactory.instance;
    switch (p.currentToken()) {
      case START_OBJECT:
        {
          checkDepth(path, location, depth);
          ObjectNode object = f.objectNode();
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            String child = path.isEmpty() ? name : path + "." + name;
            if (object.has(name)) {
              throw refused(child, p.currentTokenLocation(), "'" + name + "' appears twice");
            }
            keys.put(child, p.currentTokenLocation());
            p.nextToken();
            object.set(name, node(p, child, depth + 1));
          }
          return object;
        }
      case START_ARRAY:
        {
          checkDepth(path, location, depth);
          ArrayNode array = f.arrayNode();
          while (p.nextToken() != JsonToken.END_ARRAY) {
            array.add(node(p, path + "[" + array.size() + "]", depth + 1));
          }
          return array;
        }
      case VALUE_STRING:
        return f.textNode(p.getText());
      case VALUE_NUMBER_INT:
        return switch (p.getNumberType()) {
          case INT -> f.numberNode(p.getIntValue());
          case LONG -> f.numberNode(p.getLongValue());
          default -> f.numberNode(p.getBigIntegerValue());
        };
      case VALUE_NUMBER_FLOAT:
        return f.numberNode(p.getDecimalValue());
      case VALUE_TRUE:
      case VALUE_FALSE:
        // As YAML 1.2: only true and false are booleans; YAML 1.1's yes, no, on, off, y and n
        // (which Jackson's YAML reader still turns into booleans) stay the words they are.
        String word = p.getText();
        if (p instanceof YAMLParser
            && !word.equalsIgnoreCase("true")
            && !word.equalsIgnoreCase("false")) {
          return f.textNode(word);
        }
        return f.booleanNode(p.currentToken() == JsonToken.VALUE_TRUE);
      case VALUE_NULL:
        return f.nullNode();
      default:
        throw refused(path, location, "a value of this kind is not allowed here");
    }
  }

  private void checkDepth(String path, JsonLocation location, int depth) throws Refused {
    if (depth >= ScenarioLoader.MAX_DEPTH) {
      throw refused(path, location, "nested deeper than " + ScenarioLoader.MAX_DEPTH + " levels");
    }
  }

  private Refused refused(String path, JsonLocation location, String message) {
    return new Refused(problem(path, location, message));
  }

  ScenarioProblem problem(String path, JsonLocation location, String message) {
    if (location == null || location == JsonLocation.NA) {
      return new ScenarioProblem(file, 0, 0, path, message);
    }
    return new ScenarioProblem(file, location.getLineNr(), location.getColumnNr(), path, message);
  }

  /** The nearest recorded location at or above {@code path}. */
  ScenarioProblem problem(String path, Map<String, JsonLocation> index, String message) {
    String p = path;
    while (!index.containsKey(p) && !values.containsKey(p) && !p.isEmpty()) {
      p = parentOf(p);
    }
    JsonLocation location = index.containsKey(p) ? index.get(p) : values.get(p);
    return problem(path, location, message);
  }

  ScenarioProblem binding(JsonMappingException e) {
    String path = pathOf(e);
    if (e instanceof UnrecognizedPropertyException u) {
      List<String> known = u.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
      return problem(
          path,
          keys,
          "unknown field '"
              + u.getPropertyName()
              + "'; known fields here: "
              + String.join(", ", known));
    }
    if (e instanceof KeyException) {
      return problem(path, keys, e.getOriginalMessage());
    }
    if (e instanceof InvalidTypeIdException t && t.getBaseType().hasRawClass(Action.class)) {
      String typePath = path + ".type";
      String message =
          t.getTypeId() == null
              ? "an action needs a type: one of " + String.join(", ", Action.TYPES)
              : "unknown action type '"
                  + t.getTypeId()
                  + "'; use one of "
                  + String.join(", ", Action.TYPES);
      return problem(values.containsKey(typePath) ? typePath : path, values, message);
    }
    return problem(path, values, bindingMessage(e));
  }

  private static String bindingMessage(JsonMappingException e) {
    if (e instanceof ValueInstantiationException && e.getCause() != null) {
      return String.valueOf(e.getCause().getMessage());
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      Class<?> target = m.getTargetType();
      if (target.isEnum()) {
        String values =
            Arrays.stream(target.getEnumConstants())
                .map(Object::toString)
                .collect(Collectors.joining(", "));
        Object value = e instanceof InvalidFormatException f ? f.getValue() : null;
        return (value == null ? "this" : "'" + value + "'")
            + " is not a "
            + target.getSimpleName()
            + "; use one of "
            + values;
      }
      String original = e.getOriginalMessage();
      if (!original.startsWith("Cannot ") && !original.startsWith("Unexpected token")) {
        return original; // one of our own messages
      }
      return "expected " + describe(target) + " here";
    }
    return e.getOriginalMessage();
  }

  private static String describe(Class<?> type) {
    if (List.class.isAssignableFrom(type)) {
      return "a list";
    }
    if (type == String.class) {
      return "a text (put quotes around it)";
    }
    if (type == Integer.class || type == int.class || type == Long.class) {
      return "a whole number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    return "a mapping of fields";
  }

  /** The path the parser stands at, for syntax errors. */
  static String pathOf(JsonStreamContext context) {
    if (context == null || context.inRoot()) {
      return "";
    }
    String parent = pathOf(context.getParent());
    if (context.inArray()) {
      return parent + "[" + Math.max(0, context.getCurrentIndex()) + "]";
    }
    String name = context.getCurrentName();
    if (name == null) {
      return parent;
    }
    return parent.isEmpty() ? name : parent + "." + name;
  }

  private static String pathOf(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (path.length() > 0) {
          path.append('.');
        }
        path.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }

  private static String parentOf(String path) {
    int dot = path.lastIndexOf('.');
    int bracket = path.lastIndexOf('[');
    int cut = Math.max(dot, bracket);
    return cut < 0 ? "" : path.substring(0, cut);
  }
}
