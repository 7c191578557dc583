package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdScalarSerializer;
import dev.orchestrator.protocol.Durations;
import java.io.IOException;
import java.time.Duration;

/**
 * Durations in scenarios are written as users write them ({@code 500ms}, {@code 30s}, {@code 5m},
 * {@code 1h}) in files, on the API and in the journal alike, whatever mapper reads them.
 */
final class DurationText {
  private DurationText() {}

  static final class Serializer extends StdScalarSerializer<Duration> {
    public Serializer() {
      super(Duration.class);
    }

    @Override
    public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider)
        throws IOException {
      gen.writeString(Durations.format(value));
    }
  }

  static final class Deserializer extends StdScalarDeserializer<Duration> {
    public Deserializer() {
      super(Duration.class);
    }

    @Override
    public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() != JsonToken.VALUE_STRING) {
        return (Duration)
            ctxt.reportInputMismatch(
                Duration.class,
                "'%s' is not a duration; write a whole number and a unit: 500ms, 30s, 5m or 1h",
                p.getText());
      }
      try {
        return Durations.parse(p.getText());
      } catch (IllegalArgumentException e) {
        return (Duration) ctxt.reportInputMismatch(Duration.class, e.getMessage());
      }
    }
  }
}
