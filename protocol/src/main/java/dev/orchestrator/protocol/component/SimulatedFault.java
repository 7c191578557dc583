package dev.orchestrator.protocol.component;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** What the {@code simulated} driver's component does wrong, as set by an operator. */
public enum SimulatedFault {
  /** Behaves. */
  NONE,
  /** Every call times out. */
  UNRESPONSIVE,
  /** Goes through ON_ERROR to FAULT with an error message (until acknowledged with CMD_ACK). */
  FAULT,
  /** Transitions and answers take ten times longer. */
  SLOW,
  /** Answers and fails in turn. */
  FLAPPING;

  /** The name on the wire: {@code none}, {@code unresponsive}, ... */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<SimulatedFault> fromWire(String text) {
    return Arrays.stream(values()).filter(f -> f.wire().equals(text)).findFirst();
  }

  /** The wire names, comma-separated, for messages. */
  public static String wireNames() {
    return Arrays.stream(values()).map(SimulatedFault::wire).collect(Collectors.joining(", "));
  }
}
