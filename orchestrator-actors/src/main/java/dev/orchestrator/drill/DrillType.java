package dev.orchestrator.drill;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** What a drill does to its target node. */
public enum DrillType {
  /** The node leaves the cluster gracefully; its process exits and a supervisor restarts it. */
  SINGLETON_HANDOVER("singleton-handover"),
  /** The node halts at once, as in a crash; a supervisor restarts it. */
  NODE_CRASH("node-crash");

  private final String wire;

  DrillType(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static Optional<DrillType> fromWire(String text) {
    return Arrays.stream(values()).filter(t -> t.wire.equals(text)).findFirst();
  }

  /** The wire names, for messages: {@code singleton-handover or node-crash}. */
  public static String names() {
    return Arrays.stream(values()).map(DrillType::wire).collect(Collectors.joining(" or "));
  }
}
