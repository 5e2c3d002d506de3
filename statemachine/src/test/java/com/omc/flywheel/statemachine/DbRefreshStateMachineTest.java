package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.moto.MotoServer.SnsMessage;
import com.omc.flywheel.local.proxy.AwsProxy;
import com.omc.flywheel.shared.AwsClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.JobRun;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sns.SnsClient;

/** statemachine/db-refresh.asl.json executed in moto with the real handlers, driven by events/db-refresh.json. */
class DbRefreshStateMachineTest {
    static final String DB = "omc_flywheel_dev";
    static final String DATA = "omc-flywheel-data-us-east-1-dev";
    static final String ROOT = "s3://" + DATA + "/omc_cleanroom_data/split_part/infobase_attributes/";
    static final String ADDRESSABLE_IDS = "s3://" + DATA + "/omc_cleanroom_data/split_part/addressable_ids/"
            + "ADDRESSABLE_IDS/";
    static final String NOTIFICATIONS = "arn:aws:sns:us-east-1:123456789012:omc-flywheel-dev-db-refresh-notifications";
    static final List<String> JOBS = List.of("etl-omc-flywheel-dev-addressable-split-and-part",
            "etl-omc-flywheel-dev-infobase-split-and-part", "etl-omc-flywheel-dev-register-part-tables");
    LocalCloud cloud;
    GlueClient glue;

    @BeforeEach
    void world() {
        cloud = StateMachineHarness.fresh();
        glue = AwsClients.build(GlueClient.builder());
        S3Client s3 = AwsClients.build(S3Client.builder());
        for (String job : JOBS) {
            StateMachineHarness.createJob(glue, job);
        }
        cloud.moto().glueJobRunsTakePolls(2);
        LakeBuilder lake = new LakeBuilder(glue, s3).database(DB).bucket(DATA).bucket("omc-flywheel-dev-analysis-data");
        for (String source : List.of("addressable_ids", "infobase_attributes")) {
            for (String day : List.of("2025-09-22", "2025-10-22")) {
                s3.putObject(b -> b.bucket(DATA).key("opus/" + source + "/raw_input/snapshot_dt=" + day
                        + "/part-0.parquet"),
                        RequestBody.fromString("x"));
                // The loader's last write: resolve-snapshot takes only a snapshot with its marker under every prefix.
                s3.putObject(b -> b.bucket(DATA).key("opus/" + source + "/raw_input/snapshot_dt=" + day + "/_SUCCESS"),
                        RequestBody.fromString(""));
            }
        }
        s3.putObject(b -> b.bucket(DATA).key("omc_cleanroom_data/split_part/infobase_attributes/metadata/"
                + "snapshot_dt.txt"),
                RequestBody.fromString("2025-10-22"));
        lake.table(new LakeBuilder.Table(DB, "part_ibe_01", ROOT + "IBE_01/", 6, LakeBuilder.Registration.PARTITIONED,
                LakeBuilder.buckets(8), List.of(0, 1, 2, 3), Map.of()));
        lake.table(new LakeBuilder.Table(DB, "part_ibe_02", ROOT + "IBE_02/", 4, LakeBuilder.Registration.KEY_AS_COLUMN,
                LakeBuilder.buckets(8), List.of(), Map.of()));
        lake.table(new LakeBuilder.Table(DB, "part_addressable_ids_er", "s3://" + DATA + "/identity/", 2,
                LakeBuilder.Registration.UNPARTITIONED, List.of(), List.of(), Map.of()));
        // What the ER table's CTAS reads (the local Athena stand-in reads the Parquet files): 4 folders of 4 rows.
        new LakeBuilder(glue, s3).database(DB).withParquetFiles(null)
                .table(new LakeBuilder.Table(DB, "part_addressable_ids",
                ADDRESSABLE_IDS, 1, LakeBuilder.Registration.PARTITIONED, LakeBuilder.buckets(4),
                        LakeBuilder.buckets(4), Map.of()));
        SnsClient sns = AwsClients.build(SnsClient.builder());
        sns.createTopic(b -> b.name("omc-flywheel-dev-db-refresh-notifications"));
        sns.createTopic(b -> b.name("omc-flywheel-dev-data-monitor-alerts"));
        cloud.cleanRooms().collaboration("AMC", List.of(
                new CleanRoomsStandIn.Member("111111111111", "AMC Service", List.of("CAN_QUERY")),
                new CleanRoomsStandIn.Member("222222222222", "AMC Results", List.of("CAN_RECEIVE_RESULTS"))),
                "omc-flywheel-dev-analysis-data", "0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b");
    }

    private List<JobRun> runs(String job) {
        return glue.getJobRuns(b -> b.jobName(job)).jobRuns();
    }

    private List<SnsMessage> notifications() {
        return cloud.moto().snsMessages().stream().filter(m -> m.topicArn().equals(NOTIFICATIONS)).toList();
    }

    @Test
    void aMonthlyRefreshRunsEveryStepInOrderAndNotifiesSuccess() {
        StateMachineHarness.Run run = StateMachineHarness.execute("db-refresh.asl.json",
                SampleEvents.read("db-refresh.json"),
                Duration.ofMinutes(3));

        assertEquals(ExecutionStatus.SUCCEEDED, run.execution().status(), run.execution().toString());
        List<String> entered = run.statesEntered();
        List<String> steps = List.of("ResolveNewestSnapshot", "SplitInputs", "RegisterTables", "RepairPartitions",
                "BuildErTable", "AssociateTables", "Reports", "Done");
        // Every step ran (indexOf is -1 for one that never did, which would pass an order check)...
        assertEquals(List.of(), steps.stream().filter(s -> !entered.contains(s)).toList(),
                "steps never entered; entered: " + entered);
        // ...and each was first entered after the one before it.
        for (int i = 1; i < steps.size(); i++) {
            assertTrue(entered.indexOf(steps.get(i - 1)) < entered.indexOf(steps.get(i)),
                    steps.get(i - 1) + " before " + steps.get(i) + ": " + entered);
        }
        for (String split : JOBS.subList(0, 2)) {
            assertEquals(1, runs(split).size(), split);
            assertEquals("2025-10-22", runs(split).get(0).arguments().get("--SNAPSHOT_DT"), "one snapshot for the run");
        }
        List<JobRun> register = runs(JOBS.get(2));
        assertEquals(2, register.size(), "the registration job twice, one run per context");
        assertEquals(2, register.stream().map(r -> r.arguments().get("--S3_ROOT")).distinct().count());
        assertEquals(8, glue.getPartitions(b -> b.databaseName(DB).tableName("part_ibe_02")).partitions().size(),
                "repair ran: part_ibe_02 re-partitioned and synced");
        assertEquals(2, cloud.cleanRooms().mutations().stream()
                .filter(m -> m.startsWith("CreateConfiguredTableAssociation "))
                .count());
        List<SnsMessage> sent = notifications();
        assertEquals(1, sent.size());
        assertEquals("✅ Database Refresh Completed Successfully", sent.get(0).subject());
        // notify-failure's success message (the EventBridge rule RefreshSucceeded): a table, not JSON.
        String message = sent.get(0).message();
        String splitRun = runs(JOBS.get(0)).get(0).id();
        assertTrue(message.contains("completed in dev for snapshot 2025-10-22")
                && message.contains("\n  data-monitor/ACX_Data_Monitor_Report_") && !message.contains("{\""), message);
        assertTrue(message.lines().anyMatch(l -> l.matches("SplitAddressableIds +[0-9]+\\.[0-9] +" + splitRun)),
                message);
        assertTrue(message.lines().anyMatch(l -> l.matches("RepairPartitions +[0-9]+\\.[0-9] +[0-9]+ partitions added "
                + "in [0-9]+ tables")),
                message);
        assertTrue(message.lines().anyMatch(
                l -> l.matches("AssociateTables +[0-9]+\\.[0-9] +create association 2, .*")), message);
        // The ER table: re-pointed at its new folder, 16 rows, never dropped (docs/today.md's bug).
        String er = glue.getTable(b -> b.databaseName(DB).name("part_addressable_ids_er")).table().storageDescriptor()
                .location();
        assertTrue(er.startsWith("s3://" + DATA
                + "/omc_cleanroom_data/identity/acx_ids_er/snapshot_dt=2025-10-22/run="), er);
        assertTrue(message.lines().anyMatch(l -> l.matches("BuildErTable +[0-9]+\\.[0-9] +REFRESHED, 16 rows, " + er)),
                message);
        assertEquals(List.of(), glue.getTables(b -> b.databaseName(DB)).tableList().stream().map(t -> t.name())
                .filter(n -> n.startsWith("tmp_")).toList(), "no staging table left");
        assertEquals(1, cloud.lambdas().invocations().get(StateMachineHarness.name("notify-failure")));
        Map<String, Integer> invocations = cloud.lambdas().invocations();
        assertTrue(invocations.get(StateMachineHarness.name("check-status")) >= 5, invocations.toString());
        assertEquals(2, invocations.get(StateMachineHarness.name("build-report")));
    }

    /**
     * Issue 21: a register job at AWS's default MaxConcurrentRuns of 1 (production's is 2). The two
     * registrations of RegisterTables start at once; the second finds the job at its limit, and
     * start-glue-job answers WAITING_FOR_SLOT (no Lambda error, nothing started): the step waits for
     * the slot and starts when the first run has ended. The refresh succeeds with both contexts
     * registered.
     */
    @Test
    void aRegisterJobThatRunsOneAtATimeRegistersBothContextsOneAfterTheOther() throws Exception {
        StateMachineHarness.recreateJobWithMaxConcurrentRuns(glue, JOBS.get(2), 1);
        cloud.moto().glueJobRunsTakePolls(6);

        StateMachineHarness.Run run = StateMachineHarness.execute("db-refresh.asl.json",
                SampleEvents.read("db-refresh.json"), Duration.ofMinutes(3));

        assertEquals(ExecutionStatus.SUCCEEDED, run.execution().status(), run.execution().toString());
        List<JobRun> register = runs(JOBS.get(2));
        assertEquals(2, register.size(), "both registrations ran, once each: " + register);
        assertEquals(2, register.stream().map(r -> r.arguments().get("--S3_ROOT")).distinct().count());
        assertEquals(List.of("SUCCEEDED", "SUCCEEDED"), register.stream().map(JobRun::jobRunStateAsString).toList());
        List<String> waited = new ArrayList<>();
        for (HistoryEvent e : run.history()) {
            if (e.taskSucceededEventDetails() != null) {
                JsonNode answer = JSON.readTree(e.taskSucceededEventDetails().output()).path("Payload");
                if (answer.path("status").asText().equals("WAITING_FOR_SLOT")) {
                    waited.add(answer.path("jobName").asText() + " " + answer.path("maxConcurrentRuns").asInt());
                }
            }
        }
        assertFalse(waited.isEmpty(), "one registration waited for the other's slot");
        assertEquals(List.of(JOBS.get(2) + " 1"), waited.stream().distinct().toList());
        assertTrue(run.statesEntered().stream().anyMatch(n -> n.startsWith("WaitForSlotRegister")),
                run.statesEntered().toString());
        assertEquals(List.of(), run.history().stream().filter(e -> e.taskFailedEventDetails() != null)
                .map(e -> e.taskFailedEventDetails().error()).toList(), "waiting for a slot is no task failure");
    }

    /**
     * Both continuation loops driven through IN_PROGRESS rounds: with a time margin almost as long
     * as the functions' timeout, msck-repair and the data monitor take one table per call, so the
     * state machine calls each again with its token until it answers COMPLETE; the state carries
     * counts and S3 keys, and the result is that of a single call.
     */
    @Test
    void repairAndDataMonitorContinueAcrossCallsUntilComplete() {
        System.setProperty("TIME_MARGIN_SECONDS", "900");
        cloud.lambdas().coldStart(); // the functions read their settings at init
        StateMachineHarness.Run run;
        try {
            run = StateMachineHarness.execute("db-refresh.asl.json", SampleEvents.read("db-refresh.json"),
                    Duration.ofMinutes(3));
        } finally {
            System.clearProperty("TIME_MARGIN_SECONDS");
            cloud.lambdas().coldStart();
        }

        assertEquals(ExecutionStatus.SUCCEEDED, run.execution().status(), run.execution().toString());
        List<String> entered = run.statesEntered();
        assertTrue(entered.contains("ContinueRepair") && entered.contains("ContinueDataMonitor"), entered.toString());
        assertTrue(cloud.lambdas().invocations().get(StateMachineHarness.name("msck-repair")) >= 2,
                cloud.lambdas().invocations().toString());
        assertTrue(cloud.lambdas().invocations().get(StateMachineHarness.name("build-report")) >= 3,
                "the Clean Rooms report once, the data monitor at least twice: " + cloud.lambdas().invocations());
        assertEquals(8, glue.getPartitions(b -> b.databaseName(DB).tableName("part_ibe_02")).partitions().size(),
                "every table repaired, over several calls");
        JsonNode reports = run.output().path("results").path("reports");
        JsonNode monitor = null;
        for (JsonNode r : reports) {
            if (r.path("report").asText().equals("DATA_MONITOR")) {
                monitor = r;
            }
        }
        assertTrue(monitor != null && monitor.path("reportKeys").size() == 2, reports.toString());
        assertEquals(4, run.output().path("results").path("repair").path("summary").path("tables").asInt(),
                run.output().path("results").toString());
        assertTrue(run.output().path("results").path("associate").path("skippedForQuota").isInt(),
                "the state counts the tables over the quota instead of listing them: " + run.output().path("results"));
    }

    @Test
    void aGlueJobThatFailsAfterItsRetriesFailsTheRunWithStepErrorAndCauseInTheNotification() {
        cloud.proxy().addRewrite(AwsProxy.failGlueJobRuns(r -> r.path("JobName").asText().equals(JOBS.get(2))
                && r.path("Arguments").path("--S3_ROOT").asText().contains("infobase_attributes"),
                "AnalysisException: Path does not exist: s3://.../IBE_07/"));

        StateMachineHarness.Run run = StateMachineHarness.execute("db-refresh.asl.json",
                SampleEvents.read("db-refresh.json"),
                Duration.ofMinutes(3));

        assertEquals(ExecutionStatus.FAILED, run.execution().status());
        assertEquals("GlueJobFailed", run.execution().error(), "the step's own error fails the execution");
        long infobaseRuns = runs(JOBS.get(2)).stream().filter(r -> r.arguments().get("--S3_ROOT").contains("infobase"))
                .count();
        assertEquals(3, infobaseRuns, "the first run and its two retries");
        List<SnsMessage> sent = notifications();
        assertEquals(1, sent.size(), "one failure notification");
        assertEquals("❌ Database Refresh Failed", sent.get(0).subject());
        String message = sent.get(0).message();
        assertTrue(message.contains("failed in dev at step RegisterTables") && message.contains("GlueJobFailed")
                && message.contains("Path does not exist"), message);
        assertFalse(run.statesEntered().contains("RepairPartitions"));
        assertFailedAt(run, "RegisterTables");
    }

    /** The input of events/db-refresh.json, changed by {@code change}. */
    private static String input(java.util.function.Consumer<ObjectNode> change) {
        try {
            ObjectNode in = (ObjectNode) JSON.readTree(SampleEvents.read("db-refresh.json"));
            change.accept(in);
            return JSON.writeValueAsString(in);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A way to break one step: what the world does wrong, and the input. */
    private record Breakage(String step, Runnable world, String input) {
    }

    private List<Breakage> breakages() {
        return List.of(
                new Breakage("CheckGivenSnapshot", () -> { },
                        input(in -> in.put("snapshotDt", "2024-01-01"))),
                new Breakage("SplitInputs", () -> cloud.proxy()
                        .addRewrite(AwsProxy.failGlueJob(JOBS.get(1), "split broke")),
                        input(in -> { })),
                new Breakage("RegisterTables", () -> cloud.proxy()
                        .addRewrite(AwsProxy.failGlueJob(JOBS.get(2), "register broke")),
                        input(in -> { })),
                new Breakage("RepairPartitions", () -> { },
                        input(in -> ((ObjectNode) in.get("repair")).put("tablePrefix", "Not-A-Prefix"))),
                new Breakage("BuildErTable", () -> cloud.proxy().addRuleFirst(AwsProxy.failAthenaQueries(id -> true,
                        "HIVE_CANNOT_OPEN_SPLIT: ER broke")), input(in -> { })),
                new Breakage("AssociateTables", () -> cloud.cleanRooms()
                        .failCall("CreateConfiguredTableAssociation", 1, 403,
                        "AccessDeniedException"), input(in -> { })),
                new Breakage("Reports", () -> { },
                        input(in -> ((ObjectNode) in.get("reports").get("cleanRooms")).put("report", "NOPE"))));
    }

    /**
     * Issue 14: whichever step fails, that step is the state that fails the execution (a redrive
     * restarts there), nothing runs after it, and notify-failure (the EventBridge rule's target)
     * sends exactly one notification that names it and carries the redrive command.
     */
    @TestFactory
    List<DynamicTest> aFailureAtEveryStepFailsThereAndNotifiesOnceNamingTheStep() {
        return breakages().stream().map(b -> DynamicTest.dynamicTest(b.step(), () -> {
            world();
            b.world().run();

            StateMachineHarness.Run run = StateMachineHarness.execute("db-refresh.asl.json", b.input(),
                    Duration.ofMinutes(3));

            assertEquals(ExecutionStatus.FAILED, run.execution().status(), run.execution().toString());
            assertFailedAt(run, b.step());
            List<SnsMessage> sent = notifications();
            assertEquals(1, sent.size(), "exactly one notification: " + sent);
            assertEquals("❌ Database Refresh Failed", sent.get(0).subject());
            String message = sent.get(0).message();
            assertTrue(message.contains("failed in dev at step " + b.step())
                    && message.contains("Failed step: " + b.step())
                    && message.contains("Error: " + run.execution().error()), message);
            assertTrue(message.contains("bin/flywheel refresh resume " + run.execution().executionArn()), message);
            // Redrive is offered only where it resumes: a failed Task, never after a Fail state.
            boolean failState = run.history().stream().anyMatch(e -> e.typeAsString().equals("FailStateEntered"));
            assertEquals(!failState, message.contains("aws stepfunctions redrive-execution --execution-arn "
                    + run.execution().executionArn()), message);
            assertEquals(failState, message.contains("Do not redrive: it failed in the Fail state"), message);
            assertEquals(1, cloud.lambdas().invocations().get(StateMachineHarness.name("notify-failure")));
        })).toList();
    }

    /**
     * A failure no Catch could see: the input lacks "associate", so AssociateTables' Payload path
     * does not exist (States.Runtime). It fails the execution at AssociateTables, and is notified.
     */
    @Test
    void aStatesRuntimeErrorIsNotifiedToo() {
        StateMachineHarness.Run run = StateMachineHarness.execute("db-refresh.asl.json",
                input(in -> in.remove("associate")),
                Duration.ofMinutes(3));

        assertEquals(ExecutionStatus.FAILED, run.execution().status(), run.execution().toString());
        assertEquals("States.Runtime", run.execution().error(), run.execution().toString());
        assertFailedAt(run, "AssociateTables");
        List<SnsMessage> sent = notifications();
        assertEquals(1, sent.size(), sent.toString());
        String message = sent.get(0).message();
        assertTrue(message.contains("at step AssociateTables") && message.contains("States.Runtime")
                && message.contains("redrive-execution --execution-arn " + run.execution().executionArn()), message);
        assertTrue(message.contains("RepairPartitions: ") && message.contains("partitions added")
                && message.contains("SplitInputs: SplitAddressableIds Glue run jr_"), "what finished: " + message);
        assertTrue(message.contains("\"RepairPartitions\" : true")
                && message.contains("\"snapshotDt\" : \"2025-10-22\""),
                "the skip alternative: " + message);
    }

    /**
     * The step is the state that failed: the last top-level state entered, never exited, with no
     * top-level state entered after it before the execution failed; no catch-all
     * (NotifyFailure, RefreshFailed, Record…Failure) is entered.
     */
    private static void assertFailedAt(StateMachineHarness.Run run, String step) {
        List<String> topLevel = new ArrayList<>();
        JSON_DEFINITION.path("States").fieldNames().forEachRemaining(topLevel::add);
        List<String> entered = run.statesEntered();
        assertTrue(entered.stream().noneMatch(n -> n.equals("NotifyFailure") || n.equals("RefreshFailed")
                || n.startsWith("Record") && n.endsWith("Failure")), entered.toString());
        List<String> enteredTop = entered.stream().filter(topLevel::contains).toList();
        assertEquals(step, enteredTop.get(enteredTop.size() - 1), "the last top-level state entered: " + enteredTop);
        List<HistoryEvent> h = run.history();
        // moto may log a sibling branch's last events after ExecutionFailed; AWS ends the history with it.
        assertEquals(1, h.stream().filter(e -> e.typeAsString().equals("ExecutionFailed")).count());
        int stepEntered = -1;
        for (int i = 0; i < h.size(); i++) {
            if (h.get(i).stateEnteredEventDetails() != null && h.get(i).stateEnteredEventDetails().name()
                    .equals(step)) {
                stepEntered = i;
            }
        }
        for (int i = stepEntered; i < h.size(); i++) {
            HistoryEvent e = h.get(i);
            if (e.stateExitedEventDetails() != null) {
                assertFalse(e.stateExitedEventDetails().name().equals(step), step + " exited: it did not fail");
            }
            if (e.stateEnteredEventDetails() != null) {
                assertFalse(i > stepEntered && topLevel.contains(e.stateEnteredEventDetails().name()),
                        "a top-level state after the failed step: " + e.stateEnteredEventDetails().name());
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode JSON_DEFINITION;

    static {
        try {
            JSON_DEFINITION = JSON.readTree(SampleEvents.repoRoot().resolve("statemachine/db-refresh.asl.json")
                    .toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aResumeThatSkipsTheSplitJobsRunsTheRestAndNeitherSplitJob() {
        String input = SampleEvents.read("db-refresh.json").replaceFirst("\\{",
                "{\"skip\": {\"SplitAddressableIds\": true, \"SplitInfobase\": true}, \"snapshotDt\": \"2025-09-22\",");

        StateMachineHarness.Run run = StateMachineHarness.execute("db-refresh.asl.json", input, Duration.ofMinutes(3));

        assertEquals(ExecutionStatus.SUCCEEDED, run.execution().status(), run.execution().toString());
        assertEquals(0, runs(JOBS.get(0)).size());
        assertEquals(0, runs(JOBS.get(1)).size());
        assertTrue(run.statesEntered().containsAll(List.of("SplitAddressableIdsSkipped", "SplitInfobaseSkipped")));
        assertEquals(List.of("2025-09-22"), runs(JOBS.get(2)).stream().map(r -> r.arguments().get("--SNAPSHOT_DT"))
                .distinct().collect(Collectors.toList()), "the operator's snapshot, checked and used");
    }

    @Test
    void skippingOneSplitJobNeverSkipsTheOther() {
        String input = SampleEvents.read("db-refresh.json").replaceFirst("\\{",
                "{\"skip\": {\"SplitAddressableIds\": true},");

        StateMachineHarness.Run run = StateMachineHarness.execute("db-refresh.asl.json", input, Duration.ofMinutes(3));

        assertEquals(ExecutionStatus.SUCCEEDED, run.execution().status(), run.execution().toString());
        assertEquals(0, runs(JOBS.get(0)).size());
        assertEquals(1, runs(JOBS.get(1)).size(), "today's bug: skipping step 1 also skipped step 2");
    }
}
