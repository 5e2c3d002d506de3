package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.moto.MotoServer.SnsMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.glue.model.JobRun;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/** statemachine/db-refresh.asl.json executed in moto with the real handlers, driven by events/db-refresh.json. */
class DbRefreshStateMachineTest extends DbRefreshWorld {
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
