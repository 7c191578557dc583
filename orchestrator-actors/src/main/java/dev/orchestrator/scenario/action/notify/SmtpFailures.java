package dev.orchestrator.scenario.action.notify;

import dev.orchestrator.scenario.action.ActionFailed;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;

/** Turns what Angus Mail throws into a message an operator can act on. */
final class SmtpFailures {
  private SmtpFailures() {}

  static ActionFailed describe(MessagingException e, EmailSettings settings, Duration timeout) {
    String server = "SMTP server " + settings.address();
    if (e instanceof AuthenticationFailedException) {
      return new ActionFailed(
          server
              + " refused the login of user '"
              + settings.user()
              + "'"
              + reply(e.getMessage())
              + ": check ORCH_SMTP_USER and ORCH_SMTP_PASSWORD",
          e);
    }
    if (e instanceof SendFailedException failed
        && failed.getInvalidAddresses() != null
        && failed.getInvalidAddresses().length > 0) {
      return new ActionFailed(
          server
              + " rejected recipient "
              + Arrays.stream(failed.getInvalidAddresses())
                  .map(Address::toString)
                  .collect(Collectors.joining(", "))
              + replies(failed)
              + "; nothing was sent",
          e);
    }
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SocketTimeoutException) {
        return new ActionFailed(
            "timed out after " + Deadlines.text(timeout) + " waiting for " + server, e);
      }
      if (t instanceof UnknownHostException) {
        return new ActionFailed("unknown SMTP host '" + settings.host() + "' (ORCH_SMTP_HOST)", e);
      }
      if (t instanceof ConnectException) {
        return new ActionFailed(
            "could not connect to "
                + server
                + ": "
                + (t.getMessage() == null ? "connection refused" : t.getMessage()),
            e);
      }
      if (t instanceof SSLException) {
        return new ActionFailed("TLS with " + server + " failed: " + oneLine(t.getMessage()), e);
      }
    }
    return new ActionFailed(server + " failed to take the mail: " + oneLine(e.getMessage()), e);
  }

  /** What the server said about each rejected recipient. */
  private static String replies(SendFailedException failed) {
    List<String> replies = new ArrayList<>();
    for (Exception next = failed.getNextException(); next != null; ) {
      if (next instanceof SMTPAddressFailedException rejected) {
        replies.add(oneLine(rejected.getMessage()));
      }
      next = next instanceof MessagingException m ? m.getNextException() : null;
    }
    return replies.isEmpty() ? "" : " (" + String.join("; ", replies) + ")";
  }

  private static String reply(String message) {
    return message == null || message.isBlank() ? "" : " (" + oneLine(message) + ")";
  }

  private static String oneLine(String text) {
    return text == null ? "" : text.strip().replaceAll("\\s+", " ");
  }
}
