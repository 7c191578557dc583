package dev.orchestrator.gateway.auth;

import java.util.Optional;

/**
 * The outcome of reading a request's {@code Authorization} header.
 *
 * @param principal who is calling, when the token is valid
 * @param whyNot when there is no principal: what is wrong, for the 401 detail
 */
public record Caller(Optional<Principal> principal, String whyNot) {
  public static Caller of(Principal principal) {
    return new Caller(Optional.of(principal), null);
  }

  public static Caller anonymous(String whyNot) {
    return new Caller(Optional.empty(), whyNot);
  }

  public String actor() {
    return principal.map(Principal::name).orElse("anonymous");
  }

  public String role() {
    return principal.map(p -> p.role().wire()).orElse(null);
  }
}
