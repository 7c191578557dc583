package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads scenario files (YAML or JSON) safely and validates them, answering either the {@link
 * Scenario} or every problem found, each with the line, column and path of the offending node.
 *
 * <p>Three passes. (1) The text is read token by token into a tree while the location of every key
 * and value is recorded by path; YAML tags, anchors and aliases are refused there (so no type is
 * ever chosen by the file and an alias bomb stops at its first anchor), as are duplicate keys,
 * several documents, more than {@link #MAX_DEPTH} levels and {@link #MAX_NODES} nodes; the text
 * itself may be at most {@link #MAX_BYTES} bytes. (2) The tree is bound to the records with unknown
 * fields refused and no type coercion. (3) {@link ScenarioValidator} checks what the shape cannot
 * say. Errors of (2) and (3) carry a path, which the locations of (1) turn into a line and column.
 */
public final class ScenarioLoader {
  public static final int MAX_BYTES = 256 * 1024;
  public static final int MAX_DEPTH = 40;
  public static final int MAX_NODES = 20_000;
  public static final List<String> EXTENSIONS = List.of(".yaml", ".yml", ".json");

  /** The syntax a text is written in. */
  public enum Format {
    YAML,
    JSON;

    /** JSON for a {@code .json} name, YAML otherwise (YAML reads most JSON too). */
    public static Format of(String fileName) {
      return fileName != null && fileName.toLowerCase(Locale.ROOT).endsWith(".json") ? JSON : YAML;
    }
  }

  /** What loading one text gave. */
  public sealed interface Result {
    String file();
  }

  /** The text held a valid scenario. */
  public record Loaded(String file, Scenario scenario) implements Result {}

  /** The text was refused as a whole, for these reasons. */
  public record Rejected(String file, List<ScenarioProblem> problems) implements Result {
    public Rejected {
      problems = List.copyOf(problems);
    }
  }

  /** What loading a directory gave: the files that loaded, and those refused. */
  public record DirectoryResult(List<Loaded> loaded, List<Rejected> rejected) {
    public DirectoryResult {
      loaded = List.copyOf(loaded);
      rejected = List.copyOf(rejected);
    }
  }

  private static final StreamReadConstraints CONSTRAINTS =
      StreamReadConstraints.builder()
          // Our own depth check comes first with a clearer message; this one is the backstop.
          .maxNestingDepth(MAX_DEPTH + 10)
          .maxStringLength(MAX_BYTES)
          .maxNumberLength(100)
          .build();
  private static final JsonFactory YAML = yamlFactory();
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .streamReadConstraints(CONSTRAINTS)
          .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .build();
  private static final ObjectReader READER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
          .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
          .build()
          .readerFor(Scenario.class);

  private static JsonFactory yamlFactory() {
    LoaderOptions options = new LoaderOptions();
    // The reader below refuses anchors and aliases outright; these are SnakeYAML's own limits.
    options.setMaxAliasesForCollections(10);
    options.setAllowRecursiveKeys(false);
    options.setNestingDepthLimit(MAX_DEPTH);
    options.setCodePointLimit(MAX_BYTES);
    return YAMLFactory.builder().loaderOptions(options).streamReadConstraints(CONSTRAINTS).build();
  }

  private ScenarioLoader() {}

  /** Loads {@code text}, JSON if {@code file} ends with {@code .json}, YAML otherwise. */
  public static Result load(String file, String text) {
    return load(file, text, Format.of(file));
  }

  /** Loads {@code text} in the given format; {@code file} only names it in problems. */
  public static Result load(String file, String text, Format format) {
    if (text.length() > MAX_BYTES || text.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      return tooLarge(file, text.getBytes(StandardCharsets.UTF_8).length);
    }
    Reader reader = new Reader(file);
    JsonNode tree;
    JsonParser p = null;
    try {
      p = (format == Format.JSON ? JSON : YAML).createParser(text);
      tree = reader.document(p);
    } catch (Refused e) {
      return new Rejected(file, List.of(e.problem));
    } catch (JsonProcessingException e) {
      String path = p == null ? "" : Reader.pathOf(p.getParsingContext());
      return new Rejected(file, List.of(reader.problem(path, e.getLocation(), syntax(e))));
    } catch (IOException e) {
      return new Rejected(file, List.of(new ScenarioProblem(file, 0, 0, "", e.toString())));
    } finally {
      close(p);
    }
    Scenario scenario;
    try {
      scenario = READER.readValue(tree);
    } catch (JsonMappingException e) {
      return new Rejected(file, List.of(reader.binding(e)));
    } catch (IOException e) {
      return new Rejected(file, List.of(new ScenarioProblem(file, 0, 0, "", e.toString())));
    }
    List<ScenarioProblem> problems =
        ScenarioValidator.validate(scenario).stream()
            .map(i -> reader.problem(i.path(), reader.values, i.message()))
            .toList();
    return problems.isEmpty() ? new Loaded(file, scenario) : new Rejected(file, problems);
  }

  /** Loads one file; its file name is what problems name. */
  public static Result load(Path path) {
    String file = path.getFileName().toString();
    try {
      long size = Files.size(path);
      if (size > MAX_BYTES) {
        return tooLarge(file, size);
      }
      byte[] bytes = Files.readAllBytes(path);
      if (bytes.length > MAX_BYTES) {
        return tooLarge(file, bytes.length);
      }
      String text;
      try {
        text =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
      } catch (CharacterCodingException e) {
        return new Rejected(
            file, List.of(new ScenarioProblem(file, 0, 0, "", "the file is not UTF-8 text")));
      }
      return load(file, text, Format.of(file));
    } catch (IOException e) {
      return new Rejected(
          file, List.of(new ScenarioProblem(file, 0, 0, "", "cannot read the file: " + e)));
    }
  }

  /**
   * Loads every {@code *.yaml}, {@code *.yml} and {@code *.json} file directly in {@code dir}, in
   * name order. A file that does not validate is rejected as a whole; the others still load. Of two
   * files that define the same scenario name, the second in name order is rejected.
   */
  public static DirectoryResult loadDirectory(Path dir) throws IOException {
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files =
          list.filter(Files::isRegularFile)
              .filter(
                  f -> {
                    String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
                    return EXTENSIONS.stream().anyMatch(n::endsWith);
                  })
              .sorted()
              .collect(Collectors.toList());
    }
    List<Loaded> loaded = new ArrayList<>();
    List<Rejected> rejected = new ArrayList<>();
    Map<String, String> fileOfName = new HashMap<>();
    for (Path f : files) {
      Result r = load(f);
      if (r instanceof Loaded l) {
        String first = fileOfName.putIfAbsent(l.scenario().name(), l.file());
        if (first == null) {
          loaded.add(l);
        } else {
          rejected.add(
              new Rejected(
                  l.file(),
                  List.of(
                      new ScenarioProblem(
                          l.file(),
                          0,
                          0,
                          "name",
                          "scenario '"
                              + l.scenario().name()
                              + "' is already defined in "
                              + first))));
        }
      } else {
        rejected.add((Rejected) r);
      }
    }
    return new DirectoryResult(loaded, rejected);
  }

  private static void close(JsonParser p) {
    try {
      if (p != null) {
        p.close();
      }
    } catch (IOException e) {
      // Reading from a String: nothing to release.
    }
  }

  private static Rejected tooLarge(String file, long size) {
    return new Rejected(
        file,
        List.of(
            new ScenarioProblem(
                file,
                0,
                0,
                "",
                "the file is "
                    + size
                    + " bytes long; a scenario file may have at most "
                    + MAX_BYTES)));
  }

  private static String syntax(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    // SnakeYAML appends the offending snippet on further lines; line and column say it already.
    int cut = m.indexOf("\n in 'reader'");
    if (cut < 0) {
      cut = m.indexOf("\n at [Source");
    }
    m = cut < 0 ? m : m.substring(0, cut);
    return "not valid " + "syntax: " + m.strip().replaceAll("\\s+", " ");
  }

  /** Thrown by the first pass to stop at once with one problem. */
  private static final class Refused extends IOException {
    final transient ScenarioProblem problem;

    Refused(ScenarioProblem problem) {
      super(problem.message());
      this.problem = problem;
    }
  }

  /** The first pass: a tree of the document plus the location of every key and value. */
  private static final class Reader {
    private final String file;
    final Map<String, JsonLocation> values = new HashMap<>();
    final Map<String, JsonLocation> keys = new HashMap<>();
    private int nodes;

    Reader(String file) {
      this.file = file;
    }

    JsonNode document(JsonParser p) throws IOException {
      JsonToken first = p.nextToken();
      if (first == null) {
        throw refused(
            "",
            p.currentLocation(),
            "the file is empty; a scenario needs name, trigger" + " and actions");
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
      if (++nodes > MAX_NODES) {
        throw refused(path, location, "more than " + MAX_NODES + " values in one file");
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
          return f.booleanNode(true);
        case VALUE_FALSE:
          return f.booleanNode(false);
        case VALUE_NULL:
          return f.nullNode();
        default:
          throw refused(path, location, "a value of this kind is not allowed here");
      }
    }

    private void checkDepth(String path, JsonLocation location, int depth) throws Refused {
      if (depth >= MAX_DEPTH) {
        throw refused(path, location, "nested deeper than " + MAX_DEPTH + " levels");
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
        List<String> known =
            u.getKnownPropertyIds().stream().map(Object::toString).sorted().toList();
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
        return "a text";
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
}
