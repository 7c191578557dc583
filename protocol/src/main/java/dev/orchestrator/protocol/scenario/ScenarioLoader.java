package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
  private static final ObjectReader READER = reader();

  private static ObjectReader reader() {
    JsonMapper mapper =
        JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();
    // A number or boolean where text belongs is an error, not silently its digits: an unquoted
    // +48123456789 would lose its plus and 007 its zeros.
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    return mapper.readerFor(Scenario.class);
  }

  private static JsonFactory yamlFactory() {
    LoaderOptions options = new LoaderOptions();
    // Jackson reads SnakeYAML's events, not its composed nodes: aliases are never expanded (and
    // LocatingReader refuses anchors and aliases outright), so the alias and depth limits here are
    // a second line only; the code point limit does apply, in SnakeYAML's reader.
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
    if (text == null) {
      return new Rejected(file, List.of(new ScenarioProblem(file, 0, 0, "", "no text given")));
    }
    // A char is at least one byte in UTF-8, so only a short enough text needs encoding to count.
    int bytes =
        text.length() > MAX_BYTES
            ? Integer.MAX_VALUE
            : text.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_BYTES) {
      return tooLarge(file, bytes == Integer.MAX_VALUE ? text.length() : bytes);
    }
    LocatingReader reader = new LocatingReader(file);
    JsonNode tree;
    JsonParser p = null;
    try {
      p = (format == Format.JSON ? JSON : YAML).createParser(text);
      tree = reader.document(p);
    } catch (Refused e) {
      return new Rejected(file, List.of(e.problem));
    } catch (JsonProcessingException e) {
      String path = p == null ? "" : LocatingReader.pathOf(p.getParsingContext());
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
                "the file is too large ("
                    + size
                    + " bytes or more); a scenario file may have at most "
                    + MAX_BYTES
                    + " bytes")));
  }

  private static String syntax(JsonProcessingException e) {
    String m = e.getOriginalMessage();
    // SnakeYAML appends the offending snippet on further lines; line and column say it already.
    int cut = m.indexOf("\n in 'reader'");
    if (cut < 0) {
      cut = m.indexOf("\n at [Source");
    }
    m = cut < 0 ? m : m.substring(0, cut);
    return "not valid syntax: " + m.strip().replaceAll("\\s+", " ");
  }
}
