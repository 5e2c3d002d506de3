package com.omc.flywheel.local.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * One execution of db-refresh as it ended, and what the summary and the month checks read from it.
 *
 * @param execution DescribeExecution's answer
 * @param history the execution's history events
 * @param stepTimes how long each step took (empty for an execution that was not followed)
 * @param topLevelStates the names of the definition's top-level states, in order
 */
record RefreshExecution(DescribeExecutionResponse execution, List<HistoryEvent> history,
                        Map<String, Duration> stepTimes, List<String> topLevelStates) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Whether the execution succeeded. */
    boolean succeeded() {
        return execution.status() == ExecutionStatus.SUCCEEDED;
    }

    /** The output of a succeeded execution, or null. */
    JsonNode output() {
        try {
            return succeeded() && execution.output() != null ? JSON.readTree(execution.output()) : null;
        } catch (IOException e) {
            return null;
        }
    }

    /** The {@code skip} the execution's input holds, or null. */
    JsonNode skip() {
        try {
            return execution.input() == null ? null : JSON.readTree(execution.input()).get("skip");
        } catch (IOException e) {
            return null;
        }
    }

    /** The step the execution failed in, or null when it did not fail. */
    String failedStep() {
        return failedStep(history, topLevelStates);
    }

    /**
     * The step an execution failed in: the last top-level state entered (top-level states run one
     * after the other, and a failed step is the state that fails the execution), or null when the
     * execution did not fail.
     */
    static String failedStep(List<HistoryEvent> history, List<String> topLevelStates) {
        String last = null;
        boolean failed = false;
        for (HistoryEvent e : history) {
            if (e.stateEnteredEventDetails() != null && topLevelStates.contains(e.stateEnteredEventDetails().name())) {
                last = e.stateEnteredEventDetails().name();
            }
            failed |= e.typeAsString().equals("ExecutionFailed") || e.typeAsString().equals("ExecutionTimedOut")
                    || e.typeAsString().equals("ExecutionAborted");
        }
        return failed ? last : null;
    }

    /** refresh-er-table's answer in an execution's output ({@code results.er[0].result}). */
    static JsonNode erResult(JsonNode output) {
        JsonNode er = output.path("results").path("er");
        return er.isArray() && er.size() > 0 ? er.get(0).path("result") : er;
    }
}
