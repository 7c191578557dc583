package dev.orchestrator.scenario.action.notify;

import com.typesafe.config.Config;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.time.Duration;

/**
 * The SMTP server {@code send_email} uses ({@code orchestrator.scenarios.email}). An empty {@code
 * host} means none is configured: the node starts, and {@code send_email} fails saying so.
 *
 * @param host the SMTP server; empty when none is configured
 * @param port its port
 * @param from the sender address
 * @param user the login; empty for none
 * @param password the login's password; never printed
 * @param starttls upgrade the connection with STARTTLS, and refuse to go on without it
 * @param ssl connect with TLS from the start (SMTPS, usually port 465)
 * @param timeout the longest wait for connecting and for each answer of the server; the action's
 *     deadline shortens it
 */
public record EmailSettings(
    String host,
    int port,
    String from,
    String user,
    String password,
    boolean starttls,
    boolean ssl,
    Duration timeout) {

  public static final String PATH = NotifySettings.PATH + ".email";

  static EmailSettings from(Config config) {
    SettingsReader r = new SettingsReader(config, PATH);
    String host = r.string("host", "ORCH_SMTP_HOST");
    int port = r.port("port", "ORCH_SMTP_PORT");
    String from = r.string("from", "ORCH_SMTP_FROM");
    boolean starttls = r.bool("starttls");
    boolean ssl = r.bool("ssl");
    EmailSettings settings =
        new EmailSettings(
            host,
            port,
            from,
            r.string("user", "ORCH_SMTP_USER"),
            r.secret("password"),
            starttls,
            ssl,
            r.positiveDuration("timeout"));
    if (host.isEmpty()) {
      return settings;
    }
    if (from.isEmpty()) {
      throw new IllegalArgumentException(
          PATH + ".from is empty: set ORCH_SMTP_FROM to the sender address of e-mails");
    }
    try {
      new InternetAddress(from, true);
    } catch (AddressException e) {
      throw new IllegalArgumentException(
          PATH + ".from: '" + from + "' is not an e-mail address (ORCH_SMTP_FROM)", e);
    }
    if (starttls && ssl) {
      throw new IllegalArgumentException(
          PATH
              + ": set either ssl (TLS from the start, usually port 465) or starttls (usually port"
              + " 587), not both");
    }
    return settings;
  }

  /** Whether an SMTP server is configured. */
  public boolean configured() {
    return !host.isEmpty();
  }

  /** Whether to log in. */
  public boolean authenticates() {
    return !user.isEmpty();
  }

  /** {@code host:port}, for messages. */
  public String address() {
    return host + ":" + port;
  }

  @Override
  public String toString() {
    return "EmailSettings[host="
        + host
        + ", port="
        + port
        + ", from="
        + from
        + ", user="
        + user
        + ", password="
        + SettingsReader.mask(password)
        + ", starttls="
        + starttls
        + ", ssl="
        + ssl
        + ", timeout="
        + timeout
        + "]";
  }
}
