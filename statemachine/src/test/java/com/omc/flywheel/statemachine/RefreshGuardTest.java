package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.LakeBuilder;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.MotoServer.SnsMessage;
import com.omc.flywheel.local.SampleEvents;
import com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn;
import com.omc.flywheel.shared.AwsClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * No two refreshes on one lake: a db-refresh started while another runs (the snapshot-arrival rule
 * firing during the monthly run, an operator's start) fails at its first step with
 * ConcurrentRefreshException naming the running one, having started nothing; the running one
 * finishes. Under the local IAM check, so resolve-snapshot's states:ListExecutions grant is checked too.
 */
class RefreshGuardTest {
    static final String DB = DbRefreshStateMachineTest.DB;
    static final String DATA = DbRefreshStateMachineTest.DATA;
    static final String ROOT = DbRefreshStateMachineTest.ROOT;
    static final List<String> JOBS = DbRefreshStateMachineTest.JOBS;
    LocalCloud cloud;
    GlueClient glue;

    /** DbRefreshStateMachineTest's world: the jobs, a lake with two complete snapshots, the topics, the collaboration. */
    @BeforeEach
    void world() {
        cloud = StateMachineHarness.fresh();
        glue = AwsClients.build(GlueClient.builder());
        S3Client s3 = AwsClients.build(S3Client.builder());
        for (String job : JOBS) {
            StateMachineHarness.createJob(glue, job, 2);
        }
        cloud.moto().glueJobRunsTakePolls(2);
        LakeBuilder lake = new LakeBuilder(glue, s3).database(DB).bucket(DATA).bucket("omc-flywheel-dev-analysis-data");
        for (String source : List.of("addressable_ids", "infobase_attributes")) {
            for (String day : List.of("2025-09-22", "2025-10-22")) {
                s3.putObject(b -> b.bucket(DATA).key("opus/" + source + "/raw_input/snapshot_dt=" + day + "/part-0.parquet"),
                        RequestBody.fromString("x"));
                s3.putObject(b -> b.bucket(DATA).key("opus/" + source + "/raw_input/snapshot_dt=" + day + "/_SUCCESS"),
                        RequestBody.fromString(""));
            }
        }
        s3.putObject(b -> b.bucket(DATA).key("omc_cleanroom_data/split_part/infobase_attributes/metadata/snapshot_dt.txt"),
                RequestBody.fromString("2025-10-22"));
        lake.table(new LakeBuilder.Table(DB, "part_ibe_01", ROOT + "IBE_01/", 6, LakeBuilder.Registration.PARTITIONED,
                LakeBuilder.buckets(8), List.of(0, 1, 2, 3), Map.of()));
        lake.table(new LakeBuilder.Table(DB, "part_ibe_02", ROOT + "IBE_02/", 4, LakeBuilder.Registration.KEY_AS_COLUMN,
                LakeBuilder.buckets(8), List.of(), Map.of()));
        lake.table(new LakeBuilder.Table(DB, "part_addressable_ids_er", "s3://" + DATA + "/identity/", 2,
                LakeBuilder.Registration.UNPARTITIONED, List.of(), List.of(), Map.of()));
        SnsClient sns = AwsClients.build(SnsClient.builder());
        sns.createTopic(b -> b.name("omc-flywheel-dev-db-refresh-notifications"));
        sns.createTopic(b -> b.name("omc-flywheel-dev-data-monitor-alerts"));
        cloud.cleanRooms().collaboration("AMC", List.of(
                new CleanRoomsStandIn.Member("111111111111", "AMC Service", List.of("CAN_QUERY")),
                new CleanRoomsStandIn.Member("222222222222", "AMC Results", List.of("CAN_RECEIVE_RESULTS"))),
                "omc-flywheel-dev-analysis-data", "0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b");
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
        assertEquals("ResolveNewestSnapshot", entered.get(entered.size() - 1), "it failed at its first Task: " + entered);
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
                && m.message().contains(first)), "the refusal's notice names the running execution: " + sent);
        assertTrue(sent.stream().anyMatch(m -> m.subject().equals("✅ Database Refresh Completed Successfully")), sent.toString());
    }

    /** Waits until the execution has entered {@code state} (it is past the guard), failing if it ends first. */
    private static void awaitState(String execution, String state, Duration timeout) {
        SfnClient sfn = AwsClients.build(SfnClient.builder());
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            boolean entered = sfn.getExecutionHistoryPaginator(b -> b.executionArn(execution)).events().stream()
                    .anyMatch(e -> e.typeAsString().endsWith("StateEntered") && e.stateEnteredEventDetails().name().equals(state));
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
