package dev.orchestrator.scenario.action.notify;

import static dev.orchestrator.scenario.action.notify.Outcomes.due;
import static dev.orchestrator.scenario.action.notify.Outcomes.dueIn5s;
import static dev.orchestrator.scenario.action.notify.Outcomes.failure;
import static dev.orchestrator.scenario.action.notify.Outcomes.result;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.orchestrator.protocol.scenario.Action;
import dev.orchestrator.scenario.action.ActionContext;
import dev.orchestrator.scenario.action.ActionFailed;
import dev.orchestrator.scenario.action.ActionResult;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EmailExecutorTest {
  private static final String PASSWORD = "s3cret-smtp-pw";

  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort())
          .withConfiguration(GreenMailConfiguration.aConfig().withUser("bot", PASSWORD));

  private final ExecutorService blocking = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    blocking.shutdownNow();
  }

  private EmailSettings smtp(String host, int port, String user, String password) {
    return new EmailSettings(
        host,
        port,
        "orchestrator@example.com",
        user,
        password,
        false,
        false,
        Duration.ofSeconds(10));
  }

  private EmailExecutor greenMail(String user, String password) {
    return new EmailExecutor(
        smtp(greenMail.getSmtp().getBindTo(), greenMail.getSmtp().getPort(), user, password),
        blocking);
  }

  private static Action.SendEmail mail(List<String> to, String subject, String body) {
    return new Action.SendEmail(to, subject, body, null, null, null);
  }

  @Test
  void sendsSubjectAndBodyToEveryRecipient() throws Exception {
    ActionContext context = dueIn5s();
    ActionResult result =
        result(
            greenMail("", "")
                .execute(
                    mail(
                        List.of("ops@example.com", "oncall@example.org"),
                        "shutdown stuck – ups-1",
                        "power lost at ups-1\nsecond line"),
                    context));
    assertTrue(greenMail.waitForIncomingEmail(5000, 2), "both recipients got the mail");
    MimeMessage[] received = greenMail.getReceivedMessages();
    assertEquals(2, received.length);
    for (MimeMessage message : received) {
      assertEquals("shutdown stuck – ups-1", message.getSubject());
      assertEquals("power lost at ups-1\r\nsecond line", GreenMailUtil.getBody(message).strip());
      assertArrayEquals(
          new Address[] {new InternetAddress("orchestrator@example.com")}, message.getFrom());
      assertArrayEquals(
          new Address[] {
            new InternetAddress("ops@example.com"), new InternetAddress("oncall@example.org")
          },
          message.getRecipients(Message.RecipientType.TO));
      assertEquals("<" + context.attemptUuid() + "@orchestrator>", message.getMessageID());
    }
    assertEquals(
        "mail to 2 recipients accepted by 127.0.0.1:" + greenMail.getSmtp().getPort(),
        result.detail());
    assertEquals(2, result.output().get("recipients").size());
  }

  @Test
  void logsInWhenAUserIsSet() throws Exception {
    result(
        greenMail("bot", PASSWORD).execute(mail(List.of("ops@example.com"), "s", "b"), dueIn5s()));
    assertTrue(greenMail.waitForIncomingEmail(5000, 1));
  }

  @Test
  void aRefusedLoginNamesTheUserAndNotThePassword() throws Exception {
    ActionFailed e =
        failure(
            greenMail("bot", "wrong-" + PASSWORD)
                .execute(mail(List.of("ops@example.com"), "s", "b"), dueIn5s()));
    assertTrue(e.getMessage().contains("refused the login of user 'bot'"), e.getMessage());
    assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
    assertEquals(0, greenMail.getReceivedMessages().length);
  }

  @Test
  void aSubjectCannotAddHeaders() throws Exception {
    result(
        greenMail("", "")
            .execute(
                mail(List.of("ops@example.com"), "alert\r\nBcc: evil@example.com", "b"),
                dueIn5s()));
    assertTrue(greenMail.waitForIncomingEmail(5000, 1));
    MimeMessage[] received = greenMail.getReceivedMessages();
    assertEquals(1, received.length, "no copy to the smuggled Bcc");
    assertEquals("alert Bcc: evil@example.com", received[0].getSubject());
    assertNull(received[0].getHeader("Bcc"));
  }

  @Test
  void aBadAddressFailsBeforeAnythingIsSent() throws Exception {
    ActionFailed e =
        failure(
            greenMail("", "")
                .execute(mail(List.of("ops@example.com", "ops at example"), "s", "b"), dueIn5s()));
    assertTrue(e.getMessage().startsWith("'ops at example' is not an e-mail address"));
    assertEquals(0, greenMail.getReceivedMessages().length);
  }

  @Test
  void aClosedPortFailsNamingHostAndPort() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    EmailExecutor closed = new EmailExecutor(smtp("127.0.0.1", port, "", ""), blocking);
    ActionFailed e = failure(closed.execute(mail(List.of("ops@example.com"), "s", "b"), dueIn5s()));
    assertTrue(
        e.getMessage().startsWith("could not connect to SMTP server 127.0.0.1:" + port + ": "),
        e.getMessage());
  }

  @Test
  void aServerThatNeverGreetsFailsAtTheDeadline() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      EmailExecutor executor =
          new EmailExecutor(smtp("127.0.0.1", silent.getLocalPort(), "", ""), blocking);
      long start = System.nanoTime();
      ActionFailed e =
          failure(
              executor.execute(
                  mail(List.of("ops@example.com"), "s", "b"), due(Duration.ofMillis(500))));
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(e.getMessage().startsWith("timed out after "), e.getMessage());
      assertTrue(
          e.getMessage().endsWith("waiting for SMTP server 127.0.0.1:" + silent.getLocalPort()),
          e.getMessage());
      assertTrue(took.compareTo(Duration.ofMillis(400)) >= 0, "not before the deadline: " + took);
      assertTrue(took.compareTo(Duration.ofSeconds(3)) < 0, "at the deadline: " + took);
    }
  }

  @Test
  void aMailThatWaitedForAThreadPastTheDeadlineIsNotSent() throws Exception {
    ExecutorService oneThread = Executors.newSingleThreadExecutor();
    CountDownLatch busy = new CountDownLatch(1);
    try {
      oneThread.execute(
          () -> {
            try {
              busy.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      EmailExecutor executor =
          new EmailExecutor(
              smtp(greenMail.getSmtp().getBindTo(), greenMail.getSmtp().getPort(), "", ""),
              oneThread);
      ActionFailed e =
          failure(
              executor.execute(
                  mail(List.of("ops@example.com"), "s", "b"), due(Duration.ofMillis(300))));
      assertTrue(e.getMessage().startsWith("timed out after "), e.getMessage());
      busy.countDown();
      oneThread.submit(() -> null).get(10, TimeUnit.SECONDS); // the mail's task has run by now
      assertEquals(0, greenMail.getReceivedMessages().length, "nothing sent after the deadline");
    } finally {
      busy.countDown();
      oneThread.shutdownNow();
    }
  }

  @Test
  void withoutAServerTheActionSaysWhatToSet() throws Exception {
    EmailExecutor none = new EmailExecutor(smtp("", 25, "", ""), blocking);
    ActionFailed e = failure(none.execute(mail(List.of("ops@example.com"), "s", "b"), dueIn5s()));
    assertTrue(
        e.getMessage().startsWith("no SMTP server configured: set ORCH_SMTP_HOST"), e.getMessage());
  }
}
