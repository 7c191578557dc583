package dev.orchestrator.command;

import java.util.List;
import java.util.stream.IntStream;

/** Command events are spread over these tags, so that the read side folds them in parallel. */
public final class CommandTags {
  public static final List<String> TAGS =
      IntStream.range(0, 4).mapToObj(i -> "command-" + i).toList();

  private CommandTags() {}

  public static String tagFor(String commandId) {
    return TAGS.get(Math.floorMod(commandId.hashCode(), TAGS.size()));
  }
}
