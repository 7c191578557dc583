package dev.orchestrator.command.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.orchestrator.command.spi.CommandContext;
import dev.orchestrator.command.spi.CommandHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code noop}: returns its input unchanged (JSON null without one). */
public final class NoopCommand implements CommandHandler<JsonNode, JsonNode> {

  @Override
  public Class<JsonNode> inputType() {
    return JsonNode.class;
  }

  @Override
  public CompletionStage<JsonNode> handle(JsonNode input, CommandContext context) {
    return CompletableFuture.completedFuture(input == null ? NullNode.getInstance() : input);
  }
}
