package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.fixtures.TopicRegistry;
import com.omc.flywheel.local.moto.MotoServer.SnsMessage;
import com.omc.flywheel.shared.AwsClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * The ceilings of the Glue job loop (statemachine/generate.py), through historical-rebuilder: the
 * time ceiling is the input's limits.maxRunSeconds when given (default 21,600 s), and a missing
 * limits.maxRunSeconds is no error; the wait for a slot ends at limits.maxSlotWaitSeconds (default
 * 21,600 s). A ceiling is not GlueJobFailed, so the job is not started again.
 */
class JobLoopCeilingTest {
    static final String REBUILDER = TopicStateMachinesTest.REBUILDER;
    LocalCloud cloud;
    GlueClient glue;

    @BeforeEach
    void world() {
        cloud = StateMachineHarness.fresh();
        glue = AwsClients.build(GlueClient.builder());
        StateMachineHarness.createJob(glue, REBUILDER);
        cloud.moto().glueJobRunsTakePolls(60);
        TopicRegistry.create(AwsClients.build(DynamoDbClient.builder()), TopicStateMachinesTest.REGISTRY)
                .topic("topic_b", true, "ENABLED", Map.of());
        AwsClients.build(SnsClient.builder()).createTopic(b -> b.name("omc-flywheel-dev-db-refresh-notifications"));
    }

    private StateMachineHarness.Run rebuild(String limits) {
        String input = SampleEvents.read("historical-rebuilder.json")
                .replace("\"limits\": {\"maxPolls\": 200}", limits);
        assertTrue(input.contains(limits), input);
        return StateMachineHarness.execute("historical-rebuilder.asl.json", input, Duration.ofMinutes(2));
    }

    @Test
    void theTimeCeilingComesFromLimitsMaxRunSeconds() {
        StateMachineHarness.Run run = rebuild("\"limits\": {\"maxPolls\": 200, \"maxRunSeconds\": 1}");

        assertEquals(ExecutionStatus.FAILED, run.execution().status());
        assertTrue(run.statesEntered().contains("RebuildHistoryTimeCeiling"), run.statesEntered().toString());
        assertEquals(1, glue.getJobRuns(b -> b.jobName(REBUILDER)).jobRuns().size(),
                "a ceiling never starts the job again");
        List<SnsMessage> sent = cloud.moto().snsMessages();
        assertTrue(sent.get(0).message().contains("TimeCeilingReached")
                && sent.get(0).message().contains("limits.maxRunSeconds"),
                sent.get(0).message());
    }

    /**
     * The rebuilder job (AWS's default MaxConcurrentRuns, 1) is busy with another topic's run for
     * longer than the input lets the step wait: the step waits for a slot, then fails at its own
     * SlotCeiling naming the run in the way, having started nothing.
     */
    @Test
    void theWaitForASlotEndsAtLimitsMaxSlotWaitSecondsNamingTheRunInTheWay() {
        String blocker = glue.startJobRun(b -> b.jobName(REBUILDER).arguments(Map.of("--topic_name", "topic_x")))
                .jobRunId();

        StateMachineHarness.Run run = rebuild("\"limits\": {\"maxPolls\": 200, \"maxSlotWaitSeconds\": 2}");

        assertEquals(ExecutionStatus.FAILED, run.execution().status());
        assertEquals("SlotWaitCeilingReached", run.execution().error());
        assertTrue(run.execution().cause().contains("MaxConcurrentRuns=1") && run.execution().cause().contains(blocker)
                && run.execution().cause().contains("Nothing was started"), run.execution().cause());
        assertTrue(run.statesEntered().contains("RebuildHistorySlotCeiling"), run.statesEntered().toString());
        assertEquals(2, run.statesEntered().stream().filter("WaitForSlotRebuildHistory"::equals).count(),
                "1 s a wait (SLOT_WAIT_SECONDS in the tests), until 2 s were waited");
        assertFalse(run.statesEntered().contains("CheckRebuildHistory"), "no run of its own to poll");
        assertEquals(List.of(blocker), glue.getJobRuns(b -> b.jobName(REBUILDER)).jobRuns().stream()
                .map(r -> r.id()).toList(), "nothing started");
        assertTrue(cloud.moto().snsMessages().get(0).message().contains("SlotWaitCeilingReached"));
    }

    @Test
    void withoutMaxRunSecondsTheDefaultAppliesAndThePollCeilingStillWorks() {
        StateMachineHarness.Run run = rebuild("\"limits\": {\"maxPolls\": 3}");

        assertEquals(ExecutionStatus.FAILED, run.execution().status());
        assertTrue(run.statesEntered().contains("RebuildHistoryPollCeiling"), run.statesEntered().toString());
        assertFalse(run.statesEntered().contains("RebuildHistoryTimeCeiling"), run.statesEntered().toString());
        assertEquals(3, run.statesEntered().stream().filter("CheckRebuildHistory"::equals).count());
        assertTrue(cloud.moto().snsMessages().get(0).message().contains("PollCeilingReached"));
    }
}
