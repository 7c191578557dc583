package dev.orchestrator.component.driver;

import dev.orchestrator.protocol.component.FsmState;
import java.time.Instant;

/**
 * What a component said about itself in answer to {@code CMD_GET_STATE}.
 *
 * @param state {@code data.fsm_state}
 * @param error {@code data.error} (true when the component reports an error), false when absent
 * @param errorMessage {@code data.error_message}, null when absent
 * @param at when the answer arrived
 */
public record Observation(FsmState state, boolean error, String errorMessage, Instant at) {}
