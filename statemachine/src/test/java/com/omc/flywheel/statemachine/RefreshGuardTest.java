package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.moto.MotoServer.SnsMessage;
import com.omc.flywheel.shared.AwsClients;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * No two refreshes on one lake: a db-refresh started while another runs (the snapshot-arrival rule
 * firing during the monthly run, an operator's start) fails at its first step with
 * ConcurrentRefreshException naming the running one, having started nothing; the running one
 * finishes. Under the local IAM check, so resolve-snapshot's states:ListExecutions grant is checked too.
 */
class RefreshGuardTest {
    static final List<String> JOBS = DbRefreshStateMachineTest.JOBS;
    LocalCloud cloud;
    GlueClient glue;

    /** DbRefreshStateMachineTest's world: the jobs, a lake with two complete snapshots, the topics, the collaboration.
    * */
    @BeforeEach
    void world() {
        DbRefreshStateMachineTest world = new DbRefreshStateMachineTest();
        world.world();
        cloud = world.cloud;
        glue = world.glue;
    }

    /**
     * Two refreshes started at the same moment (the snapshot-arrival event delivered twice): each
     * lists the other, and exactly one goes on, the same one whichever asks first.
     */
    @Test
    void ofTwoRefreshesStartedTogetherExactlyOneGoesOn() {
        String input = SampleEvents.read("db-refresh.json");
        String a = StateMachineHarness.start("db-refresh.asl.json", input);
        String b = StateMachineHarness.start("db-refresh.asl.json", input);

        StateMachineHarness.Run ra = StateMachineHarness.await(a, Duration.ofMinutes(3));
        StateMachineHarness.Run rb = StateMachineHarness.await(b, Duration.ofMinutes(3));

        List<ExecutionStatus> statuses = List.of(ra.execution().status(), rb.execution().status());
        assertTrue(statuses.contains(ExecutionStatus.SUCCEEDED) && statuses.contains(ExecutionStatus.FAILED),
                statuses.toString());
        StateMachineHarness.Run refused = ra.execution().status() == ExecutionStatus.FAILED ? ra : rb;
        assertEquals("ConcurrentRefreshException", refused.execution().error(), refused.execution().cause());
        assertEquals(1, glue.getJobRuns(r -> r.jobName(JOBS.get(0))).jobRuns().size(), "one refresh's split jobs");
    }

    @Test
    void aRefreshStartedWhileAnotherRunsIsRefusedAtItsFirstStepAndTheRunningOneFinishes() {
        String input = SampleEvents.read("db-refresh.json");
        String first = StateMachineHarness.start("db-refresh.asl.json", input);
        awaitState(first, "SplitInputs", Duration.ofMinutes(1));

        String second = StateMachineHarness.start("db-refresh.asl.json", input);
        StateMachineHarness.Run refused = StateMachineHarness.await(second, Duration.ofMinutes(1));

        assertEquals(ExecutionStatus.FAILED, refused.execution().status());
        assertEquals("ConcurrentRefreshException", refused.execution().error(), refused.execution().cause());
        assertTrue(refused.execution().cause().contains(first) && refused.execution().cause().contains("did nothing"),
                refused.execution().cause());
        List<String> entered = refused.statesEntered();
        assertEquals("ResolveNewestSnapshot", entered.get(entered.size() - 1), "it failed at its first Task: "
                + entered);
        assertFalse(entered.contains("SplitInputs"), entered.toString());

        StateMachineHarness.Run running = StateMachineHarness.await(first, Duration.ofMinutes(3));
        assertEquals(ExecutionStatus.SUCCEEDED, running.execution().status(), running.execution().toString());
        for (String job : JOBS) {
            long expected = job.equals(JOBS.get(2)) ? 2 : 1;
            assertEquals(expected, glue.getJobRuns(b -> b.jobName(job)).jobRuns().size(),
                    job + ": only the first execution's runs (the second started no Glue job)");
        }
        List<SnsMessage> sent = cloud.moto().snsMessages().stream()
                .filter(m -> m.topicArn().equals(DbRefreshStateMachineTest.NOTIFICATIONS)).toList();
        assertEquals(2, sent.size(), "the refusal (notify-failure) and the first's success: " + sent);
        assertTrue(sent.stream().anyMatch(m -> m.message().contains("ConcurrentRefreshException")
                && m.message().contains(first) && m.message().contains("Nothing to resume")
                && !m.message().contains("refresh resume")), "the refusal's notice names the running execution: "
                        + sent);
        assertTrue(sent.stream().anyMatch(m -> m.subject().equals("✅ Database Refresh Completed Successfully")),
                sent.toString());
    }

    /** Waits until the execution has entered {@code state} (it is past the guard), failing if it ends first. */
    private static void awaitState(String execution, String state, Duration timeout) {
        SfnClient sfn = AwsClients.build(SfnClient.builder());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean entered = sfn.getExecutionHistoryPaginator(b -> b.executionArn(execution)).events().stream()
                    .anyMatch(e -> e.typeAsString().endsWith("StateEntered")
                            && e.stateEnteredEventDetails().name().equals(state));
            if (entered) {
                return;
            }
            ExecutionStatus status = sfn.describeExecution(b -> b.executionArn(execution)).status();
            if (status != ExecutionStatus.RUNNING) {
                throw new AssertionError(execution + " ended " + status + " before entering " + state);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError(execution + " did not enter " + state + " within " + timeout);
    }
}
