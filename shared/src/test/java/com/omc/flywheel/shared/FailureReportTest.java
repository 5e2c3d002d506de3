package com.omc.flywheel.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * Which Fail states keep a redrive from resuming: only those the execution did not get past. A
 * Glue job loop's {@code <Step>Failed} that its Parallel's Retry recovered from (the job started
 * again and succeeded) does not count.
 */
class FailureReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<HistoryEvent> history = new ArrayList<>();

    private JsonNode definition() throws Exception {
        return JSON.readTree("""
                {"StartAt": "BuildErTable", "States": {
                  "BuildErTable": {"Type": "Parallel", "Next": "AssociateTables",
                    "Branches": [{"StartAt": "StartBuildErTable",
                    "States": {"StartBuildErTable": {"Type": "Pass", "Next": "BuildErTableFailed"},
                               "BuildErTableFailed": {"Type": "Fail", "Error": "GlueJobFailed"}}}]},
                  "AssociateTables": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}}
                """);
    }

    private void event(String type, String state) {
        HistoryEvent.Builder b = HistoryEvent.builder().id((long) history.size() + 1).type(type)
                .timestamp(Instant.now());
        if (type.endsWith("StateEntered")) {
            b.stateEnteredEventDetails(d -> d.name(state).input("{}"));
        } else if (type.endsWith("StateExited")) {
            b.stateExitedEventDetails(d -> d.name(state).output("{}"));
        } else if (type.equals("ExecutionFailed")) {
            b.executionFailedEventDetails(d -> d.error(state).cause("cause"));
        }
        history.add(b.build());
    }

    @Test
    void aJobLoopThatFailedAndThenSucceededOnRetryDoesNotBlockTheRedriveOfALaterTask() throws Exception {
        event("ParallelStateEntered", "BuildErTable");
        event("PassStateEntered", "StartBuildErTable");
        event("FailStateEntered", "BuildErTableFailed");
        // The Parallel's Retry on GlueJobFailed: the branch starts again, and this time the job succeeds.
        event("PassStateEntered", "StartBuildErTable");
        event("ParallelStateExited", "BuildErTable");
        event("TaskStateEntered", "AssociateTables");
        event("TaskFailed", "AssociateTables");
        event("ExecutionFailed", "PartialFailureException");

        FailureReport report = FailureReport.of(definition(), history, "{}", null, null);

        assertEquals("AssociateTables", report.failedStep());
        assertEquals(List.of(), report.failStates());
        assertTrue(report.redriveResumes());
    }

    @Test
    void aJobLoopThatEndedInItsFailStateBlocksTheRedrive() throws Exception {
        event("ParallelStateEntered", "BuildErTable");
        event("PassStateEntered", "StartBuildErTable");
        event("FailStateEntered", "BuildErTableFailed");
        event("PassStateEntered", "StartBuildErTable");
        event("FailStateEntered", "BuildErTableFailed");
        event("ParallelStateFailed", "BuildErTable");
        event("ExecutionFailed", "GlueJobFailed");

        FailureReport report = FailureReport.of(definition(), history, "{}", null, null);

        assertEquals("BuildErTable", report.failedStep());
        assertEquals(List.of("BuildErTableFailed"), report.failStates());
        assertFalse(report.redriveResumes());
    }
}
