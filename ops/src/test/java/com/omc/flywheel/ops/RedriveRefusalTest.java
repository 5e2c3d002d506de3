package com.omc.flywheel.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static software.amazon.awssdk.services.sfn.model.HistoryEventType.FAIL_STATE_ENTERED;
import static software.amazon.awssdk.services.sfn.model.HistoryEventType.PARALLEL_STATE_ENTERED;
import static software.amazon.awssdk.services.sfn.model.HistoryEventType.PARALLEL_STATE_EXITED;
import static software.amazon.awssdk.services.sfn.model.HistoryEventType.TASK_STATE_ENTERED;
import static software.amazon.awssdk.services.sfn.model.HistoryEventType.TASK_STATE_EXITED;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.omc.flywheel.shared.FailureReport;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * {@link RefreshCommand#redriveRefusal}: a redrive only where it restarts the failed work. A Fail state
 * the execution did not get past refuses it whatever Step Functions says; otherwise Step Functions'
 * own redriveStatus decides, and an endpoint that reports none (the local emulator) never redrives.
 */
class RedriveRefusalTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String ARN = "arn:aws:states:us-east-1:123456789012:execution:omc-flywheel-dev-db-refresh:monthly";

    /** A Glue job loop (Start, Check, its Fail state) in a Parallel step, a Task step, and a top-level ceiling. */
    static JsonNode definition() throws Exception {
        return JSON.readTree("""
                {"StartAt": "SplitInputs", "States": {
                  "SplitInputs": {"Type": "Parallel", "Next": "RepairPartitions", "Branches": [
                    {"StartAt": "StartSplitInfobase", "States": {
                      "StartSplitInfobase": {"Type": "Task", "Resource": "x", "Next": "CheckSplitInfobase"},
                      "CheckSplitInfobase": {"Type": "Task", "Resource": "x", "Next": "SplitInfobaseFailed"},
                      "SplitInfobaseFailed": {"Type": "Fail", "Error": "GlueJobFailed"}}}]},
                  "RepairPartitions": {"Type": "Task", "Resource": "x", "Next": "RepairRoundCeiling"},
                  "RepairRoundCeiling": {"Type": "Fail", "Error": "RepairRoundCeiling"}}}
                """);
    }

    static DescribeExecutionResponse failed(String redriveStatus, String reason) {
        return DescribeExecutionResponse.builder().executionArn(ARN).name("monthly").status(ExecutionStatus.FAILED)
                .redriveStatus(redriveStatus).redriveStatusReason(reason).build();
    }

    static FailureReport report(List<HistoryEvent> history) throws Exception {
        return FailureReport.of(definition(), history, "{}", null, null);
    }

    /** The split job's loop ended in its Fail state, which failed SplitInputs and the execution. */
    static List<HistoryEvent> failedInTheJobLoop() {
        return new Histories().started("{}")
                .entered(0, PARALLEL_STATE_ENTERED, "SplitInputs")
                .entered(0, TASK_STATE_ENTERED, "StartSplitInfobase")
                .exited(1, TASK_STATE_EXITED, "StartSplitInfobase")
                .entered(1, TASK_STATE_ENTERED, "CheckSplitInfobase")
                .exited(2, TASK_STATE_EXITED, "CheckSplitInfobase")
                .entered(2, FAIL_STATE_ENTERED, "SplitInfobaseFailed")
                .executionFailed(2, "GlueJobFailed", "the split job failed")
                .build();
    }

    /** RepairPartitions' Lambda failed (no Fail state entered). */
    static List<HistoryEvent> failedInATask() {
        return new Histories().started("{}")
                .entered(0, PARALLEL_STATE_ENTERED, "SplitInputs")
                .exited(5, PARALLEL_STATE_EXITED, "SplitInputs")
                .entered(5, TASK_STATE_ENTERED, "RepairPartitions")
                .taskFailed(6, "PartialFailureException")
                .executionFailed(6, "PartialFailureException", "2 tables failed")
                .build();
    }

    @Test
    void aFailStateIsNeverRedrivenEvenWhenStepFunctionsSaysRedrivable() throws Exception {
        FailureReport report = report(failedInTheJobLoop());
        assertEquals(List.of("SplitInfobaseFailed"), report.failStates());

        String why = RefreshCommand.redriveRefusal(failed("REDRIVABLE", null), report);

        assertEquals("it failed in the Fail state SplitInfobaseFailed, where a redrive would restart and fail "
                + "again at once", why);
        assertEquals(why, RefreshCommand.redriveRefusal(failed(null, null), report),
                "the Fail state is the reason wherever redrive is missing too");
    }

    @Test
    void aTopLevelCeilingIsNeverRedriven() throws Exception {
        List<HistoryEvent> history = new Histories().started("{}")
                .entered(0, PARALLEL_STATE_ENTERED, "SplitInputs")
                .exited(5, PARALLEL_STATE_EXITED, "SplitInputs")
                .entered(5, TASK_STATE_ENTERED, "RepairPartitions")
                .exited(6, TASK_STATE_EXITED, "RepairPartitions")
                .entered(6, FAIL_STATE_ENTERED, "RepairRoundCeiling")
                .executionFailed(6, "RepairRoundCeiling", "too many rounds")
                .build();

        String why = RefreshCommand.redriveRefusal(failed("REDRIVABLE", null), report(history));

        assertTrue(why != null && why.startsWith("it failed in the Fail state RepairRoundCeiling"), why);
    }

    @Test
    void aFailStateItGotPastDoesNotCount() throws Exception {
        // The loop's Fail state, then the step's Retry started the loop again, which finished; a Task failed later.
        List<HistoryEvent> history = new Histories().started("{}")
                .entered(0, PARALLEL_STATE_ENTERED, "SplitInputs")
                .entered(0, TASK_STATE_ENTERED, "StartSplitInfobase")
                .entered(2, FAIL_STATE_ENTERED, "SplitInfobaseFailed")
                .entered(3, TASK_STATE_ENTERED, "StartSplitInfobase")
                .exited(4, TASK_STATE_EXITED, "StartSplitInfobase")
                .exited(5, PARALLEL_STATE_EXITED, "SplitInputs")
                .entered(5, TASK_STATE_ENTERED, "RepairPartitions")
                .taskFailed(6, "TransientAwsException")
                .executionFailed(6, "TransientAwsException", "throttled")
                .build();
        FailureReport report = report(history);
        assertTrue(report.redriveResumes(), report.failStates().toString());

        assertNull(RefreshCommand.redriveRefusal(failed("REDRIVABLE", null), report));
    }

    @Test
    void withoutAFailStateStepFunctionsDecides() throws Exception {
        FailureReport report = report(failedInATask());
        assertTrue(report.redriveResumes());
        assertEquals("RepairPartitions", report.failedStep());

        assertNull(RefreshCommand.redriveRefusal(failed("REDRIVABLE", null), report), "REDRIVABLE: redrive");
        assertEquals("Step Functions says NOT_REDRIVABLE: Execution was redriven 1000 times",
                RefreshCommand.redriveRefusal(failed("NOT_REDRIVABLE", "Execution was redriven 1000 times"), report));
        assertEquals("Step Functions says NOT_REDRIVABLE",
                RefreshCommand.redriveRefusal(failed("NOT_REDRIVABLE", null), report));
        assertEquals("Step Functions says REDRIVABLE_BY_MAP_RUN",
                RefreshCommand.redriveRefusal(failed("REDRIVABLE_BY_MAP_RUN", null), report));
    }

    @Test
    void anEndpointThatReportsNoRedriveStatusNeverRedrives() throws Exception {
        String why = RefreshCommand.redriveRefusal(failed(null, null), report(failedInATask()));

        assertEquals("this endpoint reports no redriveStatus (the local emulator has no redrive)", why);
    }
}
