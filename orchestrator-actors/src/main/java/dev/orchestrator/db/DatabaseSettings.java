package dev.orchestrator.db;

import java.time.Duration;

/** Where the database is and how to connect; the password is never printed. */
public record DatabaseSettings(
    String url, String user, String password, int poolSize, Duration connectTimeout) {

  @Override
  public String toString() {
    return "DatabaseSettings[url="
        + url
        + ", user="
        + user
        + ", password=***, poolSize="
        + poolSize
        + ", connectTimeout="
        + connectTimeout
        + "]";
  }
}
