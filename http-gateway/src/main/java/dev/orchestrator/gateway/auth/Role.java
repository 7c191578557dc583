package dev.orchestrator.gateway.auth;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Roles in rising order: each includes what the ones before it may do. */
public enum Role {
  /** Reads. */
  VIEWER,
  /** Lifecycle, runs, commands, events. */
  OPERATOR,
  /** Definitions, drills, tokens. */
  ADMIN;

  public boolean includes(Role needed) {
    return compareTo(needed) >= 0;
  }

  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Role> parse(String text) {
    return Arrays.stream(values()).filter(r -> r.wire().equals(text)).findFirst();
  }
}
