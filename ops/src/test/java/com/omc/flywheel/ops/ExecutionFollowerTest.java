package com.omc.flywheel.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static software.amazon.awssdk.services.sfn.model.HistoryEventType.CHOICE_STATE_ENTERED;
import static software.amazon.awssdk.services.sfn.model.HistoryEventType.FAIL_STATE_ENTERED;
import static software.amazon.awssdk.services.sfn.model.HistoryEventType.PARALLEL_STATE_ENTERED;
import static software.amazon.awssdk.services.sfn.model.HistoryEventType.PARALLEL_STATE_EXITED;
import static software.amazon.awssdk.services.sfn.model.HistoryEventType.TASK_STATE_ENTERED;
import static software.amazon.awssdk.services.sfn.model.HistoryEventType.TASK_STATE_EXITED;
import static software.amazon.awssdk.services.sfn.model.HistoryEventType.WAIT_STATE_ENTERED;
import static software.amazon.awssdk.services.sfn.model.HistoryEventType.WAIT_STATE_EXITED;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionRequest;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryRequest;
import software.amazon.awssdk.services.sfn.model.GetExecutionHistoryResponse;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * {@link ExecutionFollower} on a synthetic history, served poll by poll by a scripted Step Functions
 * client: what a person following a refresh reads, each event shown once, in order.
 */
class ExecutionFollowerTest {
    static final String ARN = "arn:aws:states:us-east-1:123456789012:execution:omc-flywheel-dev-db-refresh:monthly";
    static final String CAUSE = "2 tables failed: " + "part_ibe_01 (AccessDenied) ".repeat(20);

    /** Answers DescribeExecution and GetExecutionHistory from a script: one (status, history so far) per poll. */
    static final class ScriptedSfn implements SfnClient {
        record Poll(ExecutionStatus status, List<HistoryEvent> history) {
        }

        private final List<Poll> polls;
        private int at;
        final List<String> calls = new ArrayList<>();

        ScriptedSfn(List<Poll> polls) {
            this.polls = polls;
        }

        @Override
        public DescribeExecutionResponse describeExecution(DescribeExecutionRequest r) {
            calls.add("DescribeExecution " + r.executionArn());
            return DescribeExecutionResponse.builder().executionArn(r.executionArn()).name("monthly")
                    .status(polls.get(at).status()).build();
        }

        /** One page: the whole history so far; the next poll then sees the next step of the script. */
        @Override
        public GetExecutionHistoryResponse getExecutionHistory(GetExecutionHistoryRequest r) {
            calls.add("GetExecutionHistory " + r.executionArn() + " maxResults=" + r.maxResults() + " reverseOrder="
                    + r.reverseOrder());
            List<HistoryEvent> events = polls.get(at).history();
            at = Math.min(at + 1, polls.size() - 1);
            return GetExecutionHistoryResponse.builder().events(events).build();
        }

        @Override
        public String serviceName() {
            return SERVICE_NAME;
        }

        @Override
        public void close() {
        }
    }

    /** A refresh: the snapshot, a split job polled three times and started twice, then a failed repair. */
    static List<HistoryEvent> refresh() {
        return new Histories().started("{}")
                .entered(0, TASK_STATE_ENTERED, "ResolveNewestSnapshot")
                .exited(1.5, TASK_STATE_EXITED, "ResolveNewestSnapshot")
                .entered(1.5, PARALLEL_STATE_ENTERED, "SplitInputs")
                .entered(1.5, PARALLEL_STATE_ENTERED, "SplitInfobase")
                .entered(1.5, TASK_STATE_ENTERED, "StartSplitInfobase")
                .exited(2, TASK_STATE_EXITED, "StartSplitInfobase")
                .entered(2, TASK_STATE_ENTERED, "CheckSplitInfobase")
                .exited(2.5, TASK_STATE_EXITED, "CheckSplitInfobase")
                .entered(2.5, CHOICE_STATE_ENTERED, "SplitInfobaseEnded?")
                .entered(2.5, WAIT_STATE_ENTERED, "WaitForSplitInfobase")
                // the first poll of the follower ends here (11 events)
                .exited(7.5, WAIT_STATE_EXITED, "WaitForSplitInfobase")
                .entered(7.5, TASK_STATE_ENTERED, "CheckSplitInfobase")
                .exited(8, TASK_STATE_EXITED, "CheckSplitInfobase")
                .entered(8, FAIL_STATE_ENTERED, "SplitInfobaseFailed")
                .entered(9, TASK_STATE_ENTERED, "StartSplitInfobase")
                .exited(9.5, TASK_STATE_EXITED, "StartSplitInfobase")
                .entered(9.5, TASK_STATE_ENTERED, "CheckSplitInfobase")
                .exited(11.5, TASK_STATE_EXITED, "CheckSplitInfobase")
                .exited(11.5, PARALLEL_STATE_EXITED, "SplitInfobase")
                .exited(13.5, PARALLEL_STATE_EXITED, "SplitInputs")
                .entered(13.5, TASK_STATE_ENTERED, "RepairPartitions")
                .taskFailed(14, "PartialFailureException")
                .executionFailed(14, "PartialFailureException", CAUSE)
                .build();
    }

    @Test
    void eachStepIsShownAsItStartsAndEndsWithItsPollsRestartsAndTheFailureEachOnce() {
        List<HistoryEvent> all = refresh();
        ScriptedSfn sfn = new ScriptedSfn(List.of(new ScriptedSfn.Poll(ExecutionStatus.RUNNING, all.subList(0, 11)),
                new ScriptedSfn.Poll(ExecutionStatus.FAILED, all)));
        List<String> said = new ArrayList<>();

        ExecutionFollower.Followed f = ExecutionFollower.follow(sfn, ARN, said::add, Duration.ofMillis(1),
                Duration.ofMinutes(1));

        assertEquals(List.of(
                "> ResolveNewestSnapshot",
                "< ResolveNewestSnapshot 1.5s",
                "> SplitInputs",
                "> SplitInfobase",
                "> StartSplitInfobase",
                "> SplitInfobaseFailed",
                "  retry: SplitInfobase starts its job again",
                "< SplitInfobase 10.0s (3 polls)",
                "< SplitInputs 12.0s",
                "> RepairPartitions",
                "! TaskFailed: PartialFailureException",
                "! ExecutionFailed: PartialFailureException: " + CAUSE.substring(0, 300) + "…"), said);
        assertEquals(ExecutionStatus.FAILED, f.execution().status());
        assertEquals(all, f.history(), "the whole history, once");
        Map<String, Duration> times = new LinkedHashMap<>();
        times.put("ResolveNewestSnapshot", Duration.ofMillis(1500));
        times.put("SplitInfobase", Duration.ofSeconds(10));
        times.put("SplitInputs", Duration.ofSeconds(12));
        assertEquals(times, f.stepTimes());
        assertEquals(List.copyOf(times.keySet()), List.copyOf(f.stepTimes().keySet()), "in the order the steps ended");
        String read = "GetExecutionHistory " + ARN + " maxResults=1000 reverseOrder=null";
        assertEquals(List.of("DescribeExecution " + ARN, read, "DescribeExecution " + ARN, read), sfn.calls,
                "two polls, each reading the whole history, oldest first");
    }

    @Test
    void aStepWaitingForASlotIsSaidOnceNotAsAStartEveryFewMinutes() {
        List<HistoryEvent> history = new Histories().started("{}")
                .entered(0, PARALLEL_STATE_ENTERED, "RegisterInfobase")
                .entered(0, TASK_STATE_ENTERED, "StartRegisterInfobase")
                .exited(1, TASK_STATE_EXITED, "StartRegisterInfobase")
                .entered(1, WAIT_STATE_ENTERED, "WaitForSlotRegisterInfobase")
                .entered(301, TASK_STATE_ENTERED, "CountSlotWaitRegisterInfobase")
                .entered(301, TASK_STATE_ENTERED, "StartRegisterInfobase")
                .exited(302, TASK_STATE_EXITED, "StartRegisterInfobase")
                .entered(302, WAIT_STATE_ENTERED, "WaitForSlotRegisterInfobase")
                .entered(602, TASK_STATE_ENTERED, "StartRegisterInfobase")
                .exited(603, TASK_STATE_EXITED, "StartRegisterInfobase")
                .entered(603, TASK_STATE_ENTERED, "CheckRegisterInfobase")
                .exited(604, PARALLEL_STATE_EXITED, "RegisterInfobase")
                .build();
        List<String> said = new ArrayList<>();

        ExecutionFollower.follow(new ScriptedSfn(List.of(new ScriptedSfn.Poll(ExecutionStatus.SUCCEEDED, history))),
                ARN, said::add, Duration.ofMillis(1), Duration.ofMinutes(1));

        assertEquals(List.of("> RegisterInfobase", "> StartRegisterInfobase",
                "  RegisterInfobase waits for a slot: its Glue job is at its MaxConcurrentRuns",
                "< RegisterInfobase 604.0s (1 polls)"), said);
    }

    @Test
    void anAbortedExecutionIsSaidAndNothingElseIsInvented() {
        List<HistoryEvent> history = new Histories().started("{}")
                .entered(0, TASK_STATE_ENTERED, "ResolveNewestSnapshot")
                .aborted(3)
                .build();
        List<String> said = new ArrayList<>();

        ExecutionFollower.Followed f = ExecutionFollower.follow(new ScriptedSfn(List.of(
                new ScriptedSfn.Poll(ExecutionStatus.ABORTED, history))), ARN, said::add, Duration.ofMillis(1),
                Duration.ofMinutes(1));

        assertEquals(List.of("> ResolveNewestSnapshot", "! ExecutionAborted"), said);
        assertEquals(ExecutionStatus.ABORTED, f.execution().status());
        assertEquals(Map.of(), f.stepTimes(), "no step ended");
    }

    @Test
    void anExecutionStillRunningAtTheLimitIsReturnedRunning() {
        ScriptedSfn sfn = new ScriptedSfn(List.of(new ScriptedSfn.Poll(ExecutionStatus.RUNNING,
                refresh().subList(0, 3))));
        List<String> said = new ArrayList<>();

        ExecutionFollower.Followed f = ExecutionFollower.follow(sfn, ARN, said::add, Duration.ofMillis(1),
                Duration.ZERO);

        assertEquals(ExecutionStatus.RUNNING, f.execution().status());
        assertEquals(List.of("> ResolveNewestSnapshot", "< ResolveNewestSnapshot 1.5s"), said);
        assertEquals(2, sfn.calls.size(), "one poll: " + sfn.calls);
    }

    @Test
    void linesArePersonSized() {
        assertEquals("", ExecutionFollower.abbreviate(null, 10));
        assertEquals("short", ExecutionFollower.abbreviate("short", 10));
        assertEquals("abc…", ExecutionFollower.abbreviate("abcdef", 3));
        assertEquals("12.3s", ExecutionFollower.seconds(Duration.ofMillis(12_345)));
        assertEquals("0.0s", ExecutionFollower.seconds(Duration.ZERO));
    }
}
