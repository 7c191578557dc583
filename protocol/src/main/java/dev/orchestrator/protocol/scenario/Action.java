package dev.orchestrator.protocol.scenario;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.orchestrator.protocol.JsonSerializable;
import dev.orchestrator.protocol.component.FsmState;
import dev.orchestrator.protocol.component.LifecycleCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One step of a scenario, chosen by {@code type}. Every action may have a {@code timeout}, a {@code
 * retry} and an {@code on_failure} list of actions that runs when it finally fails.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Action.SendCommand.class, name = "send_command"),
  @JsonSubTypes.Type(value = Action.WaitForState.class, name = "wait_for_state"),
  @JsonSubTypes.Type(value = Action.LogEvent.class, name = "log_event"),
  @JsonSubTypes.Type(value = Action.ExecuteScenario.class, name = "execute_scenario"),
  @JsonSubTypes.Type(value = Action.EnqueueCommand.class, name = "enqueue_command"),
  @JsonSubTypes.Type(value = Action.SendEmail.class, name = "send_email"),
  @JsonSubTypes.Type(value = Action.SendSms.class, name = "send_sms"),
  @JsonSubTypes.Type(value = Action.Webhook.class, name = "webhook")
})
public sealed interface Action extends JsonSerializable {

  /** The {@code type} values, in the order error messages list them. */
  List<String> TYPES =
      List.of(
          "send_command",
          "wait_for_state",
          "log_event",
          "execute_scenario",
          "enqueue_command",
          "send_email",
          "send_sms",
          "webhook");

  List<String> LEVELS = List.of("debug", "info", "warning", "error");

  /** How long the action may take; the default depends on the type when absent. */
  Duration timeout();

  /** Further attempts after a failure; none when absent. */
  Retry retry();

  /** What runs when the action finally fails; never null. */
  List<Action> onFailure();

  /** The {@code type} value of this action. */
  @JsonIgnore
  default String typeName() {
    return getClass().getAnnotation(JsonTypeName.class).value();
  }

  /**
   * Sends a lifecycle command to {@code target} ({@code id}, {@code group:name} or {@code @all});
   * {@code order} is one of {@link dev.orchestrator.protocol.lifecycle.LifecycleRunSpec#ORDERS},
   * {@code none} when absent.
   */
  @JsonTypeName("send_command")
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record SendCommand(
      String target,
      LifecycleCommand command,
      String order,
      @JsonSerialize(using = DurationText.Serializer.class)
          @JsonDeserialize(using = DurationText.Deserializer.class)
          Duration timeout,
      Retry retry,
      @JsonProperty("on_failure") @JsonInclude(JsonInclude.Include.NON_EMPTY)
          List<Action> onFailure)
      implements Action {
    public SendCommand {
      onFailure = copy(onFailure);
    }
  }

  /**
   * Waits, without blocking anything, until every component {@code target} names is in {@code
   * state}; {@code timeout} is required.
   */
  @JsonTypeName("wait_for_state")
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record WaitForState(
      String target,
      FsmState state,
      @JsonSerialize(using = DurationText.Serializer.class)
          @JsonDeserialize(using = DurationText.Deserializer.class)
          Duration timeout,
      Retry retry,
      @JsonProperty("on_failure") @JsonInclude(JsonInclude.Include.NON_EMPTY)
          List<Action> onFailure)
      implements Action {
    public WaitForState {
      onFailure = copy(onFailure);
    }
  }

  /**
   * Writes {@code message} (a template) to the run's log and the event stream at {@code level}, one
   * of {@link #LEVELS}.
   */
  @JsonTypeName("log_event")
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record LogEvent(
      String level,
      String message,
      @JsonSerialize(using = DurationText.Serializer.class)
          @JsonDeserialize(using = DurationText.Deserializer.class)
          Duration timeout,
      Retry retry,
      @JsonProperty("on_failure") @JsonInclude(JsonInclude.Include.NON_EMPTY)
          List<Action> onFailure)
      implements Action {
    public LogEvent {
      onFailure = copy(onFailure);
    }
  }

  /** Runs scenario {@code name} as a nested run and waits for it. */
  @JsonTypeName("execute_scenario")
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record ExecuteScenario(
      String name,
      @JsonSerialize(using = DurationText.Serializer.class)
          @JsonDeserialize(using = DurationText.Deserializer.class)
          Duration timeout,
      Retry retry,
      @JsonProperty("on_failure") @JsonInclude(JsonInclude.Include.NON_EMPTY)
          List<Action> onFailure)
      implements Action {
    public ExecuteScenario {
      onFailure = copy(onFailure);
    }
  }

  /**
   * Submits the durable command {@code name} with {@code input} (string values are templates); with
   * {@code await} the action ends when the command does and fails unless it succeeded.
   */
  @JsonTypeName("enqueue_command")
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record EnqueueCommand(
      String name,
      JsonNode input,
      Boolean await,
      @JsonSerialize(using = DurationText.Serializer.class)
          @JsonDeserialize(using = DurationText.Deserializer.class)
          Duration timeout,
      Retry retry,
      @JsonProperty("on_failure") @JsonInclude(JsonInclude.Include.NON_EMPTY)
          List<Action> onFailure)
      implements Action {
    public EnqueueCommand {
      onFailure = copy(onFailure);
    }
  }

  /** Sends an e-mail; {@code subject} and {@code body} are templates. */
  @JsonTypeName("send_email")
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record SendEmail(
      List<String> to,
      String subject,
      String body,
      @JsonSerialize(using = DurationText.Serializer.class)
          @JsonDeserialize(using = DurationText.Deserializer.class)
          Duration timeout,
      Retry retry,
      @JsonProperty("on_failure") @JsonInclude(JsonInclude.Include.NON_EMPTY)
          List<Action> onFailure)
      implements Action {
    public SendEmail {
      onFailure = copy(onFailure);
      to = copy(to);
    }
  }

  /** Sends a text message; {@code message} is a template. */
  @JsonTypeName("send_sms")
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record SendSms(
      List<String> to,
      String message,
      @JsonSerialize(using = DurationText.Serializer.class)
          @JsonDeserialize(using = DurationText.Deserializer.class)
          Duration timeout,
      Retry retry,
      @JsonProperty("on_failure") @JsonInclude(JsonInclude.Include.NON_EMPTY)
          List<Action> onFailure)
      implements Action {
    public SendSms {
      onFailure = copy(onFailure);
      to = copy(to);
    }
  }

  /**
   * POSTs {@code body} (a template) to {@code url}, or to the configured endpoint named {@code
   * endpoint}; exactly one of the two.
   */
  @JsonTypeName("webhook")
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Webhook(
      String url,
      String endpoint,
      String body,
      @JsonSerialize(using = DurationText.Serializer.class)
          @JsonDeserialize(using = DurationText.Deserializer.class)
          Duration timeout,
      Retry retry,
      @JsonProperty("on_failure") @JsonInclude(JsonInclude.Include.NON_EMPTY)
          List<Action> onFailure)
      implements Action {
    public Webhook {
      onFailure = copy(onFailure);
    }
  }

  private static <T> List<T> copy(List<T> list) {
    // Nulls are kept so that the validator can point at them.
    return list == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(list));
  }
}
