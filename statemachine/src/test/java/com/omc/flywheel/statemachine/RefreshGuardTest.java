package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.moto.MotoServer.SnsMessage;
import com.omc.flywheel.local.proxy.AwsProxy;
import com.omc.flywheel.shared.AwsClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
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
     * Holds every Invoke of resolve-snapshot (the guard's step) until the test lets the execution
     * it is for ask, then answers it with the real handler, as Lambda would: so the test, not the
     * scheduler, decides which of two executions asks first.
     */
    static final class Gate implements AwsProxy.Rule {
        private final LocalCloud cloud;
        private final Map<String, CountDownLatch> release = new ConcurrentHashMap<>();
        private final Map<String, CountDownLatch> answered = new ConcurrentHashMap<>();

        Gate(LocalCloud cloud) {
            this.cloud = cloud;
        }

        private static CountDownLatch latch(Map<String, CountDownLatch> latches, String execution) {
            return latches.computeIfAbsent(execution, k -> new CountDownLatch(1));
        }

        @Override
        public Optional<AwsProxy.Reply> apply(AwsProxy.Call call) {
            if (!call.path().endsWith("/invocations") || !call.path().contains("resolve-snapshot")) {
                return Optional.empty();
            }
            String execution = call.json().path("executionArn").asText();
            answered.putIfAbsent(execution, new CountDownLatch(1));
            try {
                if (!latch(release, execution).await(2, TimeUnit.MINUTES)) {
                    return Optional.of(AwsProxy.Reply.awsError(500, "ServiceException", "the test's gate was "
                            + "never opened for " + execution));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of(AwsProxy.Reply.awsError(500, "ServiceException", "interrupted"));
            }
            Optional<AwsProxy.Reply> reply = cloud.lambdas().apply(call);
            latch(answered, execution).countDown();
            return reply;
        }

        /** Waits until resolve-snapshot has been invoked for every one of these executions (and is held). */
        void awaitAsking(List<String> executions, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!answered.keySet().containsAll(executions)) {
                assertTrue(System.nanoTime() < deadline, "resolve-snapshot was not invoked for all of " + executions
                        + " within " + timeout + " (invoked for " + answered.keySet() + ")");
                Thread.sleep(50);
            }
        }

        /** Lets the execution's resolve-snapshot run and waits for its answer. */
        void letAsk(String execution, Duration timeout) throws InterruptedException {
            latch(release, execution).countDown();
            assertTrue(latch(answered, execution).await(timeout.toMillis(), TimeUnit.MILLISECONDS),
                    "resolve-snapshot of " + execution + " did not answer within " + timeout);
        }
    }

    /**
     * Two refreshes started at the same moment (the snapshot-arrival event delivered twice): each
     * lists the other, and exactly one goes on, the same one whichever asks first: the one that started
     * first, the smaller ARN on a tie (RefreshGuard's rule, in functions/resolve-snapshot). The test
     * holds both at the guard and lets the one the rule picks ask first, then (the other run) last.
     */
    @ParameterizedTest(name = "the execution that goes on asks {0}")
    @ValueSource(strings = {"first", "last"})
    void ofTwoRefreshesStartedTogetherExactlyOneGoesOn(String winnerAsks) throws Exception {
        Gate gate = new Gate(cloud);
        cloud.proxy().addRuleFirst(gate);
        String input = SampleEvents.read("db-refresh.json");
        String a = StateMachineHarness.start("db-refresh.asl.json", input);
        String b = StateMachineHarness.start("db-refresh.asl.json", input);
        gate.awaitAsking(List.of(a, b), Duration.ofMinutes(1));

        // The rule's pick, from what Step Functions says of the two: the earlier start, then the smaller ARN.
        SfnClient sfn = AwsClients.build(SfnClient.builder());
        List<DescribeExecutionResponse> both = new ArrayList<>(List.of(sfn.describeExecution(r -> r.executionArn(a)),
                sfn.describeExecution(r -> r.executionArn(b))));
        both.sort(Comparator.comparing(DescribeExecutionResponse::startDate)
                .thenComparing(DescribeExecutionResponse::executionArn));
        String goesOn = both.get(0).executionArn();
        String refused = both.get(1).executionArn();
        assertEquals(a, goesOn, "started first (or at the same moment with the smaller name): " + both);
        if (winnerAsks.equals("first")) {
            gate.letAsk(goesOn, Duration.ofMinutes(1));
            gate.letAsk(refused, Duration.ofMinutes(1));
        } else {
            gate.letAsk(refused, Duration.ofMinutes(1));
            gate.letAsk(goesOn, Duration.ofMinutes(1));
        }

        StateMachineHarness.Run ran = StateMachineHarness.await(goesOn, Duration.ofMinutes(3));
        StateMachineHarness.Run stopped = StateMachineHarness.await(refused, Duration.ofMinutes(3));

        assertEquals(ExecutionStatus.SUCCEEDED, ran.execution().status(), ran.execution().toString());
        assertEquals(ExecutionStatus.FAILED, stopped.execution().status(), stopped.execution().toString());
        assertEquals("ConcurrentRefreshException", stopped.execution().error(), stopped.execution().cause());
        assertTrue(stopped.execution().cause().contains(goesOn), "it names the one that goes on: "
                + stopped.execution().cause());
        assertFalse(stopped.statesEntered().contains("SplitInputs"), stopped.statesEntered().toString());
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
