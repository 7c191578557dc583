package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.orchestrator.protocol.JsonSerializable;
import dev.orchestrator.protocol.command.CommandStatus;
import dev.orchestrator.protocol.component.FsmState;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A condition tree, written as an object with exactly one key: a combinator ({@code all}/{@code
 * and}, {@code any}/{@code or}, {@code not}, {@code xor}, {@code nand}, {@code nor}) or a leaf
 * ({@code component}, {@code health}, {@code time}, {@code database}, {@code command}, {@code
 * run}). Each record serializes to that one-key object, so a stored scenario reads like its file;
 * {@code and} and {@code or} are read as {@code all} and {@code any}.
 *
 * <p>Combinators over a list: {@code all} is true when every child is, {@code any} when at least
 * one is, {@code xor} when exactly one is, {@code nand} when not all are, {@code nor} when none is.
 * {@code not} takes one condition (an object, not a list).
 */
@JsonDeserialize(using = Condition.Deserializer.class)
public sealed interface Condition extends JsonSerializable {

  /** Every key a condition may have, in the order error messages list them. */
  List<String> KEYS =
      List.of(
          "all",
          "and",
          "any",
          "or",
          "not",
          "xor",
          "nand",
          "nor",
          "component",
          "health",
          "time",
          "database",
          "command",
          "run");

  /** The conditions directly under this one; empty for a leaf. */
  @JsonIgnore
  default List<Condition> children() {
    return List.of();
  }

  record All(List<Condition> all) implements Condition {
    public All {
      all = copy(all);
    }

    @Override
    public List<Condition> children() {
      return all;
    }
  }

  record Any(List<Condition> any) implements Condition {
    public Any {
      any = copy(any);
    }

    @Override
    public List<Condition> children() {
      return any;
    }
  }

  record Not(Condition not) implements Condition {
    @Override
    public List<Condition> children() {
      return not == null ? List.of() : List.of(not);
    }
  }

  record Xor(List<Condition> xor) implements Condition {
    public Xor {
      xor = copy(xor);
    }

    @Override
    public List<Condition> children() {
      return xor;
    }
  }

  record Nand(List<Condition> nand) implements Condition {
    public Nand {
      nand = copy(nand);
    }

    @Override
    public List<Condition> children() {
      return nand;
    }
  }

  record Nor(List<Condition> nor) implements Condition {
    public Nor {
      nor = copy(nor);
    }

    @Override
    public List<Condition> children() {
      return nor;
    }
  }

  record Component(ComponentState component) implements Condition {}

  record Health(HealthCheck health) implements Condition {}

  record Time(TimeWindow time) implements Condition {}

  record Database(DatabaseQuery database) implements Condition {}

  record Command(CommandCheck command) implements Condition {}

  record Run(RunCheck run) implements Condition {}

  /**
   * True when every component {@code id} names is in one of {@code state}, and has been for at
   * least {@code for} ({@code forAtLeast}).
   *
   * @param id a component id, {@code group:name} or {@code @all}
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ComponentState(
      String id,
      List<FsmState> state,
      @JsonSerialize(using = DurationText.Serializer.class)
          @JsonDeserialize(using = DurationText.Deserializer.class)
          @JsonProperty("for")
          Duration forAtLeast)
      implements JsonSerializable {
    public ComponentState {
      state = copy(state);
    }
  }

  /**
   * The last health report of every component {@code target} names. With {@code reachable}: true
   * when each is (or is not) reachable. With {@code field}: true when the value at that dotted path
   * of the free-form health data compares with {@code value} by {@code op}. Both may be given.
   *
   * @param target a component id, {@code group:name} or {@code @all}
   * @param field a dotted path into the health data, such as {@code battery.level}
   * @param op one of {@link #OPS}; {@code eq} when absent
   * @param value a number, string or boolean
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record HealthCheck(String target, Boolean reachable, String field, String op, JsonNode value)
      implements JsonSerializable {
    public static final List<String> OPS = List.of("eq", "ne", "lt", "le", "gt", "ge");
  }

  /**
   * True inside a daily window. {@code between} is two {@code HH:mm} times; the window may cross
   * midnight ({@code ["22:00", "06:00"]}); the start is inside, the end is not. {@code days}
   * (three-letter or full English day names, any case) restricts the day the window starts on.
   *
   * @param timezone a zone id such as {@code Europe/Warsaw}; UTC when absent
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record TimeWindow(List<String> days, List<String> between, String timezone)
      implements JsonSerializable {
    public TimeWindow {
      days = days == null ? null : copy(days);
      between = copy(between);
    }
  }

  /**
   * A read-only query on a configured JDBC data source.
   *
   * @param query one {@code SELECT} or {@code WITH} statement
   * @param timeout how long the query may run; {@link #DEFAULT_TIMEOUT} when absent
   * @param expect what makes it true; "at least one row" when absent
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record DatabaseQuery(
      String datasource,
      String query,
      @JsonSerialize(using = DurationText.Serializer.class)
          @JsonDeserialize(using = DurationText.Deserializer.class)
          Duration timeout,
      Expect expect)
      implements JsonSerializable {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(60);
  }

  /**
   * @param of {@code rows} (the number of rows) or {@code value} (the first column of the first
   *     row)
   * @param op one of {@link HealthCheck#OPS}
   * @param value what to compare with
   */
  record Expect(String of, String op, JsonNode value) implements JsonSerializable {
    public static final List<String> OF = List.of("rows", "value");
  }

  /**
   * True when the latest durable command with this id, or with this handler name, is in one of
   * {@code status}. Exactly one of {@code id} and {@code name}.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record CommandCheck(String id, String name, List<CommandStatus> status)
      implements JsonSerializable {
    public CommandCheck {
      status = copy(status);
    }
  }

  /** True when the latest run of {@code scenario} is in one of {@code status}. */
  record RunCheck(String scenario, List<RunStatus> status) implements JsonSerializable {
    public RunCheck {
      status = copy(status);
    }
  }

  private static <T> List<T> copy(List<T> list) {
    // Nulls are kept so that the validator can point at them.
    return list == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(list));
  }

  /** Reads the one-key form; errors carry the path down to the offending key. */
  final class Deserializer extends StdDeserializer<Condition> {
    public Deserializer() {
      super(Condition.class);
    }

    @Override
    public Condition deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.START_OBJECT) {
        return (Condition)
            ctxt.reportInputMismatch(
                Condition.class,
                "a condition is an object with one key: " + String.join(", ", KEYS));
      }
      String key = p.nextFieldName();
      if (key == null) {
        return (Condition)
            ctxt.reportInputMismatch(
                Condition.class,
                "a condition needs one key: " + String.join(", ", KEYS) + "; found none");
      }
      if (!KEYS.contains(key)) {
        throw UnrecognizedPropertyException.from(
            p, Condition.class, key, new ArrayList<Object>(KEYS));
      }
      p.nextToken();
      Condition condition;
      try {
        condition = read(key, p, ctxt);
      } catch (JsonMappingException e) {
        throw JsonMappingException.wrapWithPath(e, Condition.class, key);
      }
      String extra = p.nextFieldName();
      if (extra != null) {
        JsonMappingException e =
            new KeyException(
                p,
                "a condition has exactly one key; '"
                    + key
                    + "' is followed by '"
                    + extra
                    + "': put several conditions under all, any, ...");
        throw JsonMappingException.wrapWithPath(e, Condition.class, extra);
      }
      return condition;
    }

    private static Condition read(String key, JsonParser p, DeserializationContext ctxt)
        throws IOException {
      JavaType list = ctxt.getTypeFactory().constructCollectionType(List.class, Condition.class);
      return switch (key) {
        case "all", "and" -> new All(ctxt.readValue(p, list));
        case "any", "or" -> new Any(ctxt.readValue(p, list));
        case "xor" -> new Xor(ctxt.readValue(p, list));
        case "nand" -> new Nand(ctxt.readValue(p, list));
        case "nor" -> new Nor(ctxt.readValue(p, list));
        case "not" -> new Not(ctxt.readValue(p, Condition.class));
        case "component" -> new Component(ctxt.readValue(p, ComponentState.class));
        case "health" -> new Health(ctxt.readValue(p, HealthCheck.class));
        case "time" -> new Time(ctxt.readValue(p, TimeWindow.class));
        case "database" -> new Database(ctxt.readValue(p, DatabaseQuery.class));
        case "command" -> new Command(ctxt.readValue(p, CommandCheck.class));
        default -> new Run(ctxt.readValue(p, RunCheck.class));
      };
    }
  }
}
