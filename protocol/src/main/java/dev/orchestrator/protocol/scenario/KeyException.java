package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonMappingException;

/** A binding error about a key rather than its value: its location is the key's. */
final class KeyException extends JsonMappingException {
  KeyException(JsonParser p, String message) {
    super(p, message);
  }
}
