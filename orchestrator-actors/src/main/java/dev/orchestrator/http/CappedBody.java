package dev.orchestrator.http;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Keeps the first {@code limit} bytes of a response body as text, then stops reading (which closes
 * the connection): what an HTTP peer answers is kept for a report, not downloaded.
 */
public final class CappedBody implements HttpResponse.BodySubscriber<CappedBody.Text> {

  /** The text, and whether the body was longer. */
  public record Text(String text, boolean truncated) {}

  private final CompletableFuture<Text> result = new CompletableFuture<>();
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final int limit;
  private final Charset charset;
  private Flow.Subscription subscription;
  private boolean done;

  public CappedBody(int limit, Charset charset) {
    this.limit = limit;
    this.charset = charset;
  }

  /** A body read as UTF-8. */
  public CappedBody(int limit) {
    this(limit, StandardCharsets.UTF_8);
  }

  @Override
  public CompletionStage<Text> getBody() {
    return result;
  }

  @Override
  public void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    subscription.request(Long.MAX_VALUE);
  }

  @Override
  public void onNext(List<ByteBuffer> buffers) {
    if (done) {
      return;
    }
    for (ByteBuffer buffer : buffers) {
      int n = Math.min(limit - bytes.size(), buffer.remaining());
      byte[] chunk = new byte[n];
      buffer.get(chunk);
      bytes.write(chunk, 0, n);
      if (buffer.hasRemaining()) {
        done = true;
        subscription.cancel();
        result.complete(new Text(bytes.toString(charset), true));
        return;
      }
    }
  }

  @Override
  public void onError(Throwable error) {
    if (!done) {
      done = true;
      result.completeExceptionally(error);
    }
  }

  @Override
  public void onComplete() {
    if (!done) {
      done = true;
      result.complete(new Text(bytes.toString(charset), false));
    }
  }
}
