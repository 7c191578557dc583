package dev.orchestrator.scenario.action.notify;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orchestrator.protocol.scenario.Action;
import dev.orchestrator.scenario.action.ActionContext;
import dev.orchestrator.scenario.action.ActionExecutor;
import dev.orchestrator.scenario.action.ActionFailed;
import dev.orchestrator.scenario.action.ActionResult;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code send_email}: one plain-text UTF-8 message to every address of {@code to}, through the
 * configured SMTP server (Angus Mail), on the blocking executor. Connecting and each answer of the
 * server wait at most the {@code timeout} setting and never past the action's deadline. The
 * Message-ID is derived from the attempt, so that a message sent again after a crash is the same
 * message to mail clients that drop duplicates.
 */
final class EmailExecutor implements ActionExecutor {
  private static final Logger log = LoggerFactory.getLogger(EmailExecutor.class);

  private final EmailSettings settings;
  private final Executor blocking;

  EmailExecutor(EmailSettings settings, Executor blocking) {
    this.settings = settings;
    this.blocking = blocking;
    if (settings.configured()
        && settings.authenticates()
        && !settings.ssl()
        && !settings.starttls()) {
      log.warn(
          "SMTP login to {} goes without TLS: set {}.starttls or .ssl",
          settings.address(),
          EmailSettings.PATH);
    }
  }

  @Override
  public CompletionStage<ActionResult> execute(Action action, ActionContext context) {
    if (!(action instanceof Action.SendEmail email)) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("send_email cannot run a " + action.typeName() + " action"));
    }
    if (!settings.configured()) {
      return CompletableFuture.failedFuture(
          new ActionFailed(
              "no SMTP server configured: set ORCH_SMTP_HOST (and ORCH_SMTP_FROM) or "
                  + EmailSettings.PATH
                  + ".host"));
    }
    Duration left = Deadlines.left(context.deadline());
    if (left.isNegative() || left.isZero()) {
      return CompletableFuture.failedFuture(
          new ActionFailed("the action's deadline passed before the mail was sent"));
    }
    List<InternetAddress> to;
    try {
      to = recipients(email.to());
    } catch (ActionFailed e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletableFuture<ActionResult> sent = new CompletableFuture<>();
    try {
      blocking.execute(
          () -> {
            // Measured again: the task may have waited for a thread.
            Duration now = Deadlines.left(context.deadline());
            if (now.isNegative() || now.isZero()) {
              sent.completeExceptionally(
                  new ActionFailed("the action's deadline passed before the mail was sent"));
              return;
            }
            Duration socketTimeout =
                now.compareTo(settings.timeout()) < 0 ? now : settings.timeout();
            try {
              sent.complete(send(email, to, context, socketTimeout));
            } catch (RuntimeException e) {
              sent.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException e) {
      return CompletableFuture.failedFuture(
          new ActionFailed("the mail was not sent: no thread to send it (" + e + ")", e));
    }
    return Deadlines.within(
        sent,
        left,
        () ->
            new ActionFailed(
                "timed out after "
                    + Deadlines.text(left)
                    + " waiting for SMTP server "
                    + settings.address()));
  }

  private static List<InternetAddress> recipients(List<String> to) {
    if (to.isEmpty()) {
      throw new ActionFailed("send_email needs at least one recipient");
    }
    List<InternetAddress> addresses = new ArrayList<>();
    for (String r : to) {
      try {
        addresses.add(new InternetAddress(r == null ? "" : r.strip(), true));
      } catch (AddressException e) {
        throw new ActionFailed("'" + r + "' is not an e-mail address: " + e.getMessage());
      }
    }
    return addresses;
  }

  private ActionResult send(
      Action.SendEmail email, List<InternetAddress> to, ActionContext context, Duration timeout) {
    Session session = Session.getInstance(properties(timeout));
    String messageId = "<" + context.attemptUuid() + "@orchestrator>";
    Transport transport = null;
    try {
      transport = session.getTransport("smtp");
      MimeMessage message = new FixedIdMessage(session, messageId);
      message.setFrom(new InternetAddress(settings.from()));
      message.setRecipients(Message.RecipientType.TO, to.toArray(new Address[0]));
      // One line: a rendered template must not add headers.
      String subject = email.subject() == null ? "" : email.subject();
      message.setSubject(subject.replaceAll("[\\r\\n]+", " "), StandardCharsets.UTF_8.name());
      message.setText(email.body() == null ? "" : email.body(), StandardCharsets.UTF_8.name());
      message.setHeader("X-Orchestrator-Step", context.stepKey().replaceAll("[\\r\\n]+", " "));
      message.setSentDate(new Date());
      message.saveChanges();
      transport.connect(
          settings.host(),
          settings.port(),
          settings.authenticates() ? settings.user() : null,
          settings.authenticates() ? settings.password() : null);
      transport.sendMessage(message, message.getAllRecipients());
    } catch (MessagingException e) {
      throw SmtpFailures.describe(e, settings, timeout);
    } finally {
      close(transport);
    }
    log.debug("mail {} to {} recipients sent through {}", messageId, to.size(), settings.address());
    ObjectNode output = JsonNodeFactory.instance.objectNode();
    output.put("message_id", messageId);
    to.forEach(a -> output.withArray("recipients").add(a.getAddress()));
    return new ActionResult(
        "mail to " + NotifyActions.recipients(to.size()) + " accepted by " + settings.address(),
        output);
  }

  /** Says goodbye; the mail is accepted or refused by now, so a failure here changes nothing. */
  private void close(Transport transport) {
    if (transport == null) {
      return;
    }
    try {
      transport.close();
    } catch (MessagingException e) {
      log.debug("closing the connection to {} failed: {}", settings.address(), e.toString());
    }
  }

  private Properties properties(Duration timeout) {
    String millis = String.valueOf(Math.max(1, timeout.toMillis()));
    Properties p = new Properties();
    p.setProperty("mail.smtp.host", settings.host());
    p.setProperty("mail.smtp.port", String.valueOf(settings.port()));
    p.setProperty("mail.smtp.from", settings.from());
    p.setProperty("mail.smtp.connectiontimeout", millis);
    p.setProperty("mail.smtp.timeout", millis);
    p.setProperty("mail.smtp.writetimeout", millis);
    p.setProperty("mail.smtp.auth", String.valueOf(settings.authenticates()));
    p.setProperty("mail.smtp.starttls.enable", String.valueOf(settings.starttls()));
    p.setProperty("mail.smtp.starttls.required", String.valueOf(settings.starttls()));
    p.setProperty("mail.smtp.ssl.enable", String.valueOf(settings.ssl()));
    p.setProperty("mail.smtp.ssl.checkserveridentity", "true");
    return p;
  }

  /** A message whose Message-ID is given, not made up when it is saved. */
  private static final class FixedIdMessage extends MimeMessage {
    private final String id;

    FixedIdMessage(Session session, String id) {
      super(session);
      this.id = id;
    }

    @Override
    protected void updateMessageID() throws MessagingException {
      setHeader("Message-ID", id);
    }
  }
}
