package dev.orchestrator.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import javax.sql.DataSource;

/**
 * Bearer tokens. Only a token's SHA-256 is stored; the token itself is shown once, when issued.
 * Lookups are cached for {@link #CACHE_TTL}, so a revocation reaches the other nodes within that
 * time (at once on the node that revoked).
 */
public final class TokenStore {
  public static final Duration CACHE_TTL = Duration.ofSeconds(2);
  private static final int CACHE_LIMIT = 10_000;
  private static final String PREFIX = "orch_";
  private static final String BOOTSTRAP = "bootstrap";

  private final DataSource dataSource;
  private final Executor blocking;
  private final Optional<String> staticAdminHash;
  private final SecureRandom random = new SecureRandom();
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(Optional<Principal> principal, long expiresAtNanos) {}

  /** A token as listed: never its secret. */
  public record TokenInfo(
      String id,
      String name,
      Role role,
      Instant createdAt,
      String createdBy,
      Instant expiresAt,
      Instant revokedAt) {}

  /** A newly issued token, the only time its secret is available. */
  public record IssuedToken(TokenInfo info, String token) {}

  /**
   * @param staticAdminToken the token of {@code ORCH_ADMIN_TOKEN}, accepted without being stored
   */
  public TokenStore(DataSource dataSource, Executor blocking, Optional<String> staticAdminToken) {
    this.dataSource = dataSource;
    this.blocking = blocking;
    this.staticAdminHash = staticAdminToken.map(TokenStore::sha256);
  }

  public CompletionStage<Optional<Principal>> authenticate(String token) {
    String hash = sha256(token);
    if (staticAdminHash.isPresent()
        && MessageDigest.isEqual(
            staticAdminHash.get().getBytes(StandardCharsets.US_ASCII),
            hash.getBytes(StandardCharsets.US_ASCII))) {
      return CompletableFuture.completedFuture(
          Optional.of(new Principal("admin (ORCH_ADMIN_TOKEN)", Role.ADMIN, null)));
    }
    Cached cached = cache.get(hash);
    if (cached != null && cached.expiresAtNanos() - System.nanoTime() > 0) {
      return CompletableFuture.completedFuture(cached.principal());
    }
    return CompletableFuture.supplyAsync(
        () -> {
          Optional<Principal> principal = lookup(hash);
          if (cache.size() >= CACHE_LIMIT) {
            cache.clear();
          }
          cache.put(hash, new Cached(principal, System.nanoTime() + CACHE_TTL.toNanos()));
          return principal;
        },
        blocking);
  }

  public CompletionStage<IssuedToken> issue(
      String name, Role role, String createdBy, Optional<Duration> validFor) {
    return CompletableFuture.supplyAsync(
        () -> {
          String token = newToken();
          Instant now = Instant.now();
          Instant expiresAt = validFor.map(now::plus).orElse(null);
          TokenInfo info =
              new TokenInfo(
                  UUID.randomUUID().toString(), name, role, now, createdBy, expiresAt, null);
          insert(info, sha256(token));
          return new IssuedToken(info, token);
        },
        blocking);
  }

  public CompletionStage<List<TokenInfo>> list() {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement s =
                  c.prepareStatement(
                      "SELECT id, name, role, created_at, created_by, expires_at, revoked_at"
                          + " FROM api_tokens ORDER BY created_at, id");
              ResultSet rows = s.executeQuery()) {
            List<TokenInfo> tokens = new ArrayList<>();
            while (rows.next()) {
              tokens.add(
                  new TokenInfo(
                      rows.getString("id"),
                      rows.getString("name"),
                      Role.parse(rows.getString("role")).orElseThrow(),
                      instant(rows.getTimestamp("created_at")),
                      rows.getString("created_by"),
                      instant(rows.getTimestamp("expires_at")),
                      instant(rows.getTimestamp("revoked_at"))));
            }
            return tokens;
          } catch (SQLException e) {
            throw new IllegalStateException("cannot list tokens: " + e.getMessage(), e);
          }
        },
        blocking);
  }

  /** Revokes a token; false when there is no live token with this id. */
  public CompletionStage<Boolean> revoke(UUID id) {
    return CompletableFuture.supplyAsync(
        () -> {
          try (Connection c = dataSource.getConnection();
              PreparedStatement s =
                  c.prepareStatement(
                      "UPDATE api_tokens SET revoked_at = now() WHERE id = ? AND revoked_at IS"
                          + " NULL")) {
            s.setObject(1, id);
            boolean revoked = s.executeUpdate() == 1;
            cache.clear();
            return revoked;
          } catch (SQLException e) {
            throw new IllegalStateException("cannot revoke token: " + e.getMessage(), e);
          }
        },
        blocking);
  }

  /**
   * Makes sure a stored admin token exists for {@code token}; used in {@code dev} mode with the
   * token kept in the data directory. Blocking; for start-up.
   */
  public void ensureAdminToken(String token) {
    if (lookup(sha256(token)).filter(p -> p.role() == Role.ADMIN).isPresent()) {
      return;
    }
    revokeBootstrapTokens();
    insert(
        new TokenInfo(
            UUID.randomUUID().toString(),
            "admin",
            Role.ADMIN,
            Instant.now(),
            BOOTSTRAP,
            null,
            null),
        sha256(token));
  }

  /**
   * Generates the admin token unless a live generated one exists already (another node may have
   * made it). Returns the new token, to be shown once. Blocking; for start-up.
   */
  public Optional<String> generateAdminTokenIfNone() {
    String token = newToken();
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO api_tokens (id, name, role, token_sha256, created_by) VALUES (?,"
                    + " 'admin', 'admin', ?, 'bootstrap') ON CONFLICT DO NOTHING")) {
      s.setObject(1, UUID.randomUUID());
      s.setString(2, sha256(token));
      return s.executeUpdate() == 1 ? Optional.of(token) : Optional.empty();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot store the admin token: " + e.getMessage(), e);
    }
  }

  /** Generates a token that is not yet stored anywhere. */
  public String newToken() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private void revokeBootstrapTokens() {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "UPDATE api_tokens SET revoked_at = now() WHERE created_by = 'bootstrap' AND"
                    + " revoked_at IS NULL")) {
      s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot revoke old admin tokens: " + e.getMessage(), e);
    }
  }

  private void insert(TokenInfo info, String hash) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO api_tokens (id, name, role, token_sha256, created_at, created_by,"
                    + " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      s.setObject(1, UUID.fromString(info.id()));
      s.setString(2, info.name());
      s.setString(3, info.role().wire());
      s.setString(4, hash);
      s.setTimestamp(5, Timestamp.from(info.createdAt()));
      s.setString(6, info.createdBy());
      s.setTimestamp(7, info.expiresAt() == null ? null : Timestamp.from(info.expiresAt()));
      s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot store token: " + e.getMessage(), e);
    }
  }

  private Optional<Principal> lookup(String hash) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "SELECT id, name, role FROM api_tokens WHERE token_sha256 = ? AND revoked_at IS"
                    + " NULL AND (expires_at IS NULL OR expires_at > now())")) {
      s.setString(1, hash);
      try (ResultSet rows = s.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Principal(
                rows.getString("name"),
                Role.parse(rows.getString("role")).orElseThrow(),
                rows.getString("id")));
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot check token: " + e.getMessage(), e);
    }
  }

  static String sha256(String token) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Instant instant(Timestamp timestamp) {
    return timestamp == null ? null : timestamp.toInstant();
  }
}
