package dev.orchestrator.protocol.avena;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.orchestrator.protocol.JsonSerializable;
import java.util.Set;

/**
 * The {@code result} of an avena event: set by the component that answers it.
 *
 * @param result one of {@link #VALUES}; null when the component left it out
 * @param errorCode {@code error_code}, null when absent
 * @param errorMessage {@code error_message}, null when absent
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonPropertyOrder({"result", "error_code", "error_message"})
public record AvenaResult(
    @JsonProperty("result") String result,
    @JsonProperty("error_code") Integer errorCode,
    @JsonProperty("error_message") String errorMessage)
    implements JsonSerializable {

  public static final String SUCCESS = "success";
  public static final String FAILURE = "failure";
  public static final String ERROR = "error";
  public static final String TEST_FAILED = "test_failed";
  public static final Set<String> VALUES = Set.of(SUCCESS, FAILURE, ERROR, TEST_FAILED);

  public static AvenaResult success() {
    return new AvenaResult(SUCCESS, null, null);
  }

  public static AvenaResult failure(String message) {
    return new AvenaResult(FAILURE, null, message);
  }

  /** Whether the component said it succeeded. */
  @JsonIgnore
  public boolean isSuccess() {
    return SUCCESS.equals(result);
  }

  /** What is wrong with this result, or null. */
  String problem() {
    if (result != null && !VALUES.contains(result)) {
      return "result.result '"
          + result
          + "' is not one of "
          + VALUES.stream().sorted().toList()
          + " (or null)";
    }
    return null;
  }
}
