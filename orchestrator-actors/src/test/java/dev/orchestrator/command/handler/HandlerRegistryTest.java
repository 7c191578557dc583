package dev.orchestrator.command.handler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orchestrator.command.spi.CommandContext;
import dev.orchestrator.command.spi.CommandHandler;
import dev.orchestrator.command.spi.CommandName;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class HandlerRegistryTest {

  abstract static class Base implements CommandHandler<JsonNode, JsonNode> {
    @Override
    public Class<JsonNode> inputType() {
      return JsonNode.class;
    }

    @Override
    public CompletionStage<JsonNode> handle(JsonNode input, CommandContext context) {
      return CompletableFuture.completedFuture(input);
    }
  }

  static final class SendEmailCommand extends Base {}

  static final class SMSGatewayHandler extends Base {}

  static final class Noop extends Base {}

  static final class S3UploadCommand extends Base {}

  @CommandName("mail_out")
  static final class AnnotatedSendEmailCommand extends Base {}

  @CommandName("Mail-Out")
  static final class BadAnnotation extends Base {}

  static final class Straße extends Base {}

  static final class Command extends Base {}

  @CommandName("send_email")
  static final class OtherSendEmail extends Base {}

  @Test
  void namesFollowTheClass() {
    assertEquals("send_email", HandlerRegistry.nameOf(SendEmailCommand.class));
    assertEquals("http_request", HandlerRegistry.nameOf(HttpRequestCommand.class));
    assertEquals("sms_gateway", HandlerRegistry.nameOf(SMSGatewayHandler.class));
    assertEquals("noop", HandlerRegistry.nameOf(Noop.class));
    assertEquals("s3_upload", HandlerRegistry.nameOf(S3UploadCommand.class));
    assertEquals("noop", HandlerRegistry.nameOf(NoopCommand.class));
    assertEquals("sleep", HandlerRegistry.nameOf(SleepCommand.class));
    assertEquals("fail", HandlerRegistry.nameOf(FailCommand.class));
  }

  @Test
  void snakeCaseHandlesAcronymsAndDigits() {
    assertEquals("http_request2_go", HandlerRegistry.snakeCase("HTTPRequest2Go"));
    assertEquals("url", HandlerRegistry.snakeCase("URL"));
    assertEquals("parse_url", HandlerRegistry.snakeCase("ParseURL"));
    assertEquals("send_email", HandlerRegistry.snakeCase("Send_Email"));
  }

  @Test
  void theAnnotationWins() {
    assertEquals("mail_out", HandlerRegistry.nameOf(AnnotatedSendEmailCommand.class));
  }

  @Test
  void badNamesAreRefusedWithAHint() {
    IllegalArgumentException annotated =
        assertThrows(
            IllegalArgumentException.class, () -> HandlerRegistry.nameOf(BadAnnotation.class));
    assertTrue(annotated.getMessage().contains("Mail-Out"), annotated.getMessage());
    assertTrue(annotated.getMessage().contains("[a-z][a-z0-9_]{0,63}"), annotated.getMessage());

    IllegalArgumentException derived =
        assertThrows(IllegalArgumentException.class, () -> HandlerRegistry.nameOf(Straße.class));
    assertTrue(derived.getMessage().contains("@CommandName"), derived.getMessage());
    assertTrue(derived.getMessage().contains(Straße.class.getName()), derived.getMessage());

    IllegalArgumentException empty =
        assertThrows(IllegalArgumentException.class, () -> HandlerRegistry.nameOf(Command.class));
    assertTrue(empty.getMessage().contains("@CommandName"), empty.getMessage());

    Base anonymous = new Base() {};
    IllegalArgumentException anon =
        assertThrows(
            IllegalArgumentException.class, () -> new HandlerRegistry().register(anonymous));
    assertTrue(anon.getMessage().contains("@CommandName"), anon.getMessage());
  }

  @Test
  void serviceLoaderFindsTheBuiltIns() {
    HandlerRegistry registry = HandlerRegistry.load(getClass().getClassLoader());
    assertTrue(
        registry.names().containsAll(Set.of("noop", "sleep", "fail", "http_request")),
        registry.names().toString());
    assertInstanceOf(NoopCommand.class, registry.find("noop").orElseThrow());
    assertInstanceOf(SleepCommand.class, registry.find("sleep").orElseThrow());
    assertInstanceOf(FailCommand.class, registry.find("fail").orElseThrow());
    assertInstanceOf(HttpRequestCommand.class, registry.find("http_request").orElseThrow());
    assertFalse(registry.find("send_email").isPresent());
    assertFalse(registry.find(null).isPresent());
  }

  @Test
  void explicitRegistration() {
    SendEmailCommand handler = new SendEmailCommand();
    HandlerRegistry registry = new HandlerRegistry().register(handler).register(new Noop());
    assertSame(handler, registry.find("send_email").orElseThrow());
    assertEquals(List.of("noop", "send_email"), List.copyOf(registry.names()));
    assertThrows(UnsupportedOperationException.class, () -> registry.names().add("x"));
  }

  @Test
  void twoHandlersWithOneNameAreRefused() {
    HandlerRegistry registry = new HandlerRegistry().register(new SendEmailCommand());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> registry.register(new OtherSendEmail()));
    assertTrue(e.getMessage().contains("send_email"), e.getMessage());
    assertTrue(e.getMessage().contains(SendEmailCommand.class.getName()), e.getMessage());
    assertTrue(e.getMessage().contains(OtherSendEmail.class.getName()), e.getMessage());
    assertInstanceOf(SendEmailCommand.class, registry.find("send_email").orElseThrow());

    HandlerRegistry loaded = HandlerRegistry.load(getClass().getClassLoader());
    assertThrows(IllegalArgumentException.class, () -> loaded.register(new NoopCommand()));
  }

  @Test
  void explicitNamesAreChecked() {
    HandlerRegistry registry = new HandlerRegistry().register("mailer", new SendEmailCommand());
    assertTrue(registry.find("mailer").isPresent());
    assertThrows(IllegalArgumentException.class, () -> registry.register("Bad Name", new Noop()));
  }
}
