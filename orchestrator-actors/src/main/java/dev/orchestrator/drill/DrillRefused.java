package dev.orchestrator.drill;

/** A drill that was not started, and why, in words a person can act on. Nothing was stored. */
public final class DrillRefused extends RuntimeException {
  /** What kind of refusal: the request is wrong, the cluster's state forbids it, or try later. */
  public enum Kind {
    INVALID,
    CONFLICT,
    UNAVAILABLE
  }

  private final Kind kind;

  public DrillRefused(Kind kind, String reason) {
    super(reason);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
