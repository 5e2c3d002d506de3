package com.omc.flywheel.local.sfn;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * The Step Functions quotas moto does not enforce, checked on an execution's history: every
 * state's input and output, every task's result, and the execution's input and output at most
 * 256 KiB (UTF-8; beyond it AWS fails the execution with {@code States.DataLimitExceeded}, which no
 * Catch can handle), and at most 25,000 history events (beyond it AWS fails the execution). Used
 * on every execution the state machine tests and {@code bin/flywheel local-run} make.
 */
public final class StepFunctionsLimits {
    /** AWS's quota on a state's input or output, a task result or an execution's input or output. */
    public static final int MAX_PAYLOAD_BYTES = 256 * 1024;
    /** AWS's quota on one execution's history events. */
    public static final int MAX_HISTORY_EVENTS = 25_000;

    /** What the history shows: the largest payload, where, and every quota it breaks. */
    public record Report(int events, int maxPayloadBytes, String largestAt, List<String> violations) {
        public boolean ok() {
            return violations.isEmpty();
        }
    }

    private StepFunctionsLimits() {
    }

    public static Report check(List<HistoryEvent> history) {
        List<String> violations = new ArrayList<>();
        int max = 0;
        String where = "";
        String state = "(execution)";
        for (HistoryEvent e : history) {
            String label = e.typeAsString();
            List<String> payloads = new ArrayList<>();
            if (e.stateEnteredEventDetails() != null) {
                state = e.stateEnteredEventDetails().name();
                payloads.add(e.stateEnteredEventDetails().input());
            }
            if (e.stateExitedEventDetails() != null) {
                state = e.stateExitedEventDetails().name();
                payloads.add(e.stateExitedEventDetails().output());
            }
            if (e.taskSucceededEventDetails() != null) {
                payloads.add(e.taskSucceededEventDetails().output());
            }
            if (e.lambdaFunctionSucceededEventDetails() != null) {
                payloads.add(e.lambdaFunctionSucceededEventDetails().output());
            }
            if (e.executionStartedEventDetails() != null) {
                payloads.add(e.executionStartedEventDetails().input());
            }
            if (e.executionSucceededEventDetails() != null) {
                payloads.add(e.executionSucceededEventDetails().output());
            }
            if (e.taskScheduledEventDetails() != null) {
                payloads.add(e.taskScheduledEventDetails().parameters());
            }
            for (String p : payloads) {
                int bytes = p == null ? 0 : p.getBytes(StandardCharsets.UTF_8).length;
                if (bytes > max) {
                    max = bytes;
                    where = state + " (" + label + ")";
                }
                if (bytes > MAX_PAYLOAD_BYTES) {
                    violations.add(state + " (" + label + "): " + bytes + " bytes, over Step Functions' "
                            + MAX_PAYLOAD_BYTES
                            + "-byte limit: AWS fails the execution with States.DataLimitExceeded");
                }
            }
        }
        if (history.size() > MAX_HISTORY_EVENTS) {
            violations.add(history.size() + " history events, over Step Functions' " + MAX_HISTORY_EVENTS
                    + ": AWS fails the execution");
        }
        return new Report(history.size(), max, where, List.copyOf(violations));
    }
}
