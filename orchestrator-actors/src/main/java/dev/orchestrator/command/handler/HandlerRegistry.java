package dev.orchestrator.command.handler;

import dev.orchestrator.command.spi.CommandHandler;
import dev.orchestrator.command.spi.CommandName;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * The command handlers a node knows, by name. Filled through {@link #load(ClassLoader)} ({@link
 * ServiceLoader}) and {@link #register(CommandHandler)}; safe to read from any thread, and to
 * register from any thread too.
 *
 * <p>A handler's name is its {@link CommandName} or, without one, its simple class name without a
 * trailing {@code Command} or {@code Handler}, in snake_case: {@code SendEmailCommand} is {@code
 * send_email}, {@code SMSGatewayHandler} is {@code sms_gateway}.
 */
public final class HandlerRegistry {

  /** What a command name must look like; the same rule as {@code CommandSpec}'s. */
  public static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]{0,63}");

  private final ConcurrentMap<String, CommandHandler<?, ?>> handlers = new ConcurrentHashMap<>();

  /** An empty registry. */
  public HandlerRegistry() {}

  /**
   * A registry with every {@link CommandHandler} that {@link ServiceLoader} finds through {@code
   * classLoader} ({@code META-INF/services/dev.orchestrator.command.spi.CommandHandler}).
   *
   * @throws IllegalArgumentException when two of them have the same name, or a name is invalid
   * @throws java.util.ServiceConfigurationError when a listed handler cannot be loaded or created
   */
  public static HandlerRegistry load(ClassLoader classLoader) {
    HandlerRegistry registry = new HandlerRegistry();
    for (CommandHandler<?, ?> handler : ServiceLoader.load(CommandHandler.class, classLoader)) {
      registry.register(handler);
    }
    return registry;
  }

  /**
   * Adds a handler under {@link #nameOf(Class) its name}.
   *
   * @throws IllegalArgumentException when another handler has that name already, or the name is
   *     invalid
   */
  public HandlerRegistry register(CommandHandler<?, ?> handler) {
    Objects.requireNonNull(handler, "handler");
    return register(nameOf(handler.getClass()), handler);
  }

  /**
   * Adds a handler under the given name, whatever its class says.
   *
   * @throws IllegalArgumentException when another handler has that name already, or the name is
   *     invalid
   */
  public HandlerRegistry register(String name, CommandHandler<?, ?> handler) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(handler, "handler");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "command name '"
              + name
              + "' for "
              + handler.getClass().getName()
              + " must match "
              + NAME.pattern()
              + " (lower-case letters, digits and '_', starting with a letter)");
    }
    if (handler.inputType() == null) {
      throw new IllegalArgumentException(
          handler.getClass().getName() + ".inputType() returned null; use JsonNode for any JSON");
    }
    CommandHandler<?, ?> previous = handlers.putIfAbsent(name, handler);
    if (previous != null) {
      throw new IllegalArgumentException(
          "two command handlers are named '"
              + name
              + "': "
              + previous.getClass().getName()
              + " and "
              + handler.getClass().getName()
              + "; give one of them another name with @CommandName");
    }
    return this;
  }

  /** The handler of that name, if any. */
  public Optional<CommandHandler<?, ?>> find(String name) {
    return name == null ? Optional.empty() : Optional.ofNullable(handlers.get(name));
  }

  /** The names of all handlers, sorted; a snapshot. */
  public Set<String> names() {
    SortedSet<String> names = new TreeSet<>(handlers.keySet());
    return Collections.unmodifiableSortedSet(names);
  }

  /**
   * The command name of a handler class: its {@link CommandName} if annotated, else its simple name
   * without a trailing {@code Command} or {@code Handler}, in snake_case ({@code
   * HttpRequestCommand} is {@code http_request}, {@code SMSGatewayHandler} is {@code sms_gateway}).
   *
   * @throws IllegalArgumentException when the name does not match {@code [a-z][a-z0-9_]{0,63}}
   */
  public static String nameOf(Class<?> type) {
    Objects.requireNonNull(type, "type");
    CommandName annotation = type.getAnnotation(CommandName.class);
    if (annotation != null) {
      String name = annotation.value();
      if (name == null || !NAME.matcher(name).matches()) {
        throw new IllegalArgumentException(
            "@CommandName(\""
                + name
                + "\") on "
                + type.getName()
                + " is not a valid command name: it must match "
                + NAME.pattern()
                + " (lower-case letters, digits and '_', starting with a letter, at most 64)");
      }
      return name;
    }
    String simple = type.getSimpleName();
    String base = simple;
    if (base.endsWith("Command")) {
      base = base.substring(0, base.length() - "Command".length());
    } else if (base.endsWith("Handler")) {
      base = base.substring(0, base.length() - "Handler".length());
    }
    String name = snakeCase(base);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "cannot derive a command name from class "
              + type.getName()
              + ": '"
              + name
              + "' does not match "
              + NAME.pattern()
              + " (lower-case letters, digits and '_', starting with a letter, at most 64);"
              + " annotate the class with @CommandName(\"your_name\")");
    }
    return name;
  }

  /** {@code HTTPRequest2Go} → {@code http_request2_go}. */
  static String snakeCase(String camel) {
    StringBuilder out = new StringBuilder(camel.length() + 8);
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c)) {
        if (i > 0) {
          char before = camel.charAt(i - 1);
          boolean afterLowerOrDigit = Character.isLowerCase(before) || Character.isDigit(before);
          boolean endOfAcronym =
              Character.isUpperCase(before)
                  && i + 1 < camel.length()
                  && Character.isLowerCase(camel.charAt(i + 1));
          if (afterLowerOrDigit || endOfAcronym) {
            out.append('_');
          }
        }
        out.append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}
