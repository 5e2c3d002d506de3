package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.moto.MotoServer.SnsMessage;
import com.omc.flywheel.shared.AwsClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * db-refresh's shadow run (events/db-refresh-shadow.json) in moto with the real handlers, on
 * {@link DbRefreshStateMachineTest}'s lake: nothing production reads changes (no Glue job, no
 * partition, the ER table where it was, no Clean Rooms change, no object outside the shadow
 * folders), what it would change is in its success notice and shadow/shadow.json, and a bad
 * {@code shadow} member fails the first step before any AWS call.
 */
class ShadowRefreshStateMachineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DB = DbRefreshStateMachineTest.DB;
    private static final String REPORTS = "omc-flywheel-dev-analysis-data";
    private LocalCloud cloud;
    private GlueClient glue;

    @BeforeEach
    void world() {
        DbRefreshStateMachineTest lake = new DbRefreshStateMachineTest();
        lake.world();
        cloud = lake.cloud;
        glue = lake.glue;
    }

    /** Every S3 object outside a folder named shadow, with its ETag (the MD5 of its bytes). */
    private static Map<String, String> objectsOutsideShadow() {
        S3Client s3 = AwsClients.build(S3Client.builder());
        Map<String, String> objects = new TreeMap<>();
        for (String bucket : List.of(DbRefreshStateMachineTest.DATA, REPORTS)) {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
                if (!o.key().startsWith("shadow/") && !o.key().contains("/shadow/")) {
                    objects.put(bucket + "/" + o.key(), o.eTag());
                }
            }
        }
        return objects;
    }

    private int partitions(String table) {
        return glue.getPartitions(b -> b.databaseName(DB).tableName(table)).partitions().size();
    }

    private List<SnsMessage> sent() {
        return cloud.moto().snsMessages();
    }

    @Test
    void aShadowRunChangesNothingProductionReadsAndSaysWhatItWouldChange() throws Exception {
        Map<String, String> before = objectsOutsideShadow();
        String erBefore = glue.getTable(b -> b.databaseName(DB).name("part_addressable_ids_er")).table()
                .storageDescriptor().location();
        int ibe01 = partitions("part_ibe_01");

        StateMachineHarness.Run run = StateMachineHarness.execute("db-refresh.asl.json",
                SampleEvents.read("db-refresh-shadow.json"), Duration.ofMinutes(3));

        assertEquals(ExecutionStatus.SUCCEEDED, run.execution().status(), run.execution().toString());
        assertTrue(run.statesEntered().containsAll(List.of("PrepareShadowRun", "RepairPartitions", "BuildErTable",
                "AssociateTables", "Reports", "RecordShadowRun")), run.statesEntered().toString());
        for (String job : DbRefreshStateMachineTest.JOBS) {
            assertEquals(0, glue.getJobRuns(b -> b.jobName(job)).jobRuns().size(), job + ": no Glue job started");
        }
        assertEquals(ibe01, partitions("part_ibe_01"), "the repair was a dry run: no partition added");
        assertEquals(0, partitions("part_ibe_02"), "nor part_ibe_02 re-partitioned");
        assertEquals(erBefore, glue.getTable(b -> b.databaseName(DB).name("part_addressable_ids_er")).table()
                .storageDescriptor().location(), "the ER table production reads is where it was");
        assertTrue(glue.getTable(b -> b.databaseName(DB).name("shadow_part_addressable_ids_er")).table()
                .storageDescriptor().location().contains("/identity/acx_ids_er/shadow/snapshot_dt=2025-10-22/"));
        assertEquals(List.of(), cloud.cleanRooms().mutations(), "Clean Rooms planned only");
        assertEquals(before, objectsOutsideShadow(), "no object written, changed or deleted outside shadow/");

        JsonNode shadow = JSON.readTree(AwsClients.build(S3Client.builder())
                .getObjectAsBytes(b -> b.bucket(REPORTS).key("shadow/shadow.json")).asUtf8String());
        List<String> would = JSON.convertValue(shadow.get("wouldChange"), List.class);
        assertTrue(would.contains("RepairPartitions: would add 12 partitions in 4 tables (dry run: none added; "
                + "--shadow repair allows it)"), would.toString());
        assertTrue(would.contains("AssociateTables: would create association 2, create association rule 2, create "
                + "configured table 2, create table rule 2 (dry run: the plan only, nothing changed in Clean Rooms)"),
                would.toString());
        assertTrue(would.stream().anyMatch(w -> w.startsWith("BuildErTable: would re-point part_addressable_ids_er "
                + "to a new folder (built as shadow_part_addressable_ids_er at ")), would.toString());
        assertTrue(shadow.get("reportKeys").toString().contains("shadow/cleanrooms-reports/ACX_Cleanroom_Report_"),
                shadow.toString());

        SnsMessage notice = sent().stream().filter(m -> m.topicArn().endsWith("db-refresh-notifications"))
                .findFirst().orElseThrow();
        assertEquals("[SHADOW] ✅ Database Refresh Completed Successfully", notice.subject());
        assertTrue(notice.message().contains("Shadow run: nothing production reads was changed. A refresh would have:"
                + "\n  SplitAddressableIds: would start its Glue job"), notice.message());
        assertTrue(notice.message().contains("\n  " + would.get(4) + "\n"), notice.message());
        assertTrue(sent().stream().filter(m -> m.subject().contains("[DATA MONITOR]"))
                .allMatch(m -> m.subject().startsWith("[SHADOW] [DATA MONITOR] ")), sent().toString());
    }

    @Test
    void shadowRepairAddsTheMissingPartitionsAndStillTouchesNothingElse() {
        String input = SampleEvents.read("db-refresh-shadow.json").replace("\"shadow\": {}",
                "\"shadow\": {\"repair\": true}");

        StateMachineHarness.Run run = StateMachineHarness.execute("db-refresh.asl.json", input,
                Duration.ofMinutes(3));

        assertEquals(ExecutionStatus.SUCCEEDED, run.execution().status(), run.execution().toString());
        assertEquals(8, partitions("part_ibe_01"), "shadow.repair: the missing partitions added");
        assertEquals(8, partitions("part_ibe_02"));
        assertEquals(List.of(), cloud.cleanRooms().mutations(), "Clean Rooms still planned only");
        assertTrue(run.execution().output().contains("RepairPartitions: added 12 partitions in 4 tables (allowed by "
                + "shadow.repair)"), run.execution().output());
    }

    @Test
    void aBadShadowMemberFailsTheFirstStepNamingTheFieldBeforeAnyAwsCall() throws Exception {
        String input = SampleEvents.read("db-refresh-shadow.json").replace("\"shadow\": {}",
                "\"shadow\": {\"repair\": \"yes\"}");
        cloud.proxy().resetCounts();

        StateMachineHarness.Run run = StateMachineHarness.execute("db-refresh.asl.json", input,
                Duration.ofMinutes(2));

        assertEquals(ExecutionStatus.FAILED, run.execution().status());
        assertTrue(run.execution().error().endsWith("InvalidInputException"), run.execution().error());
        String cause = JSON.readTree(run.execution().cause()).path("errorMessage").asText();
        assertTrue(cause.contains("shadow.repair") && cause.contains("must be true or false"), cause);
        assertFalse(run.statesEntered().contains("InitialiseResults"), run.statesEntered().toString());
        // The execution's own calls, and notify-failure's notice (SNS): nothing read or written in the lake.
        List<String> calls = cloud.proxy().counts().keySet().stream()
                .filter(k -> !k.startsWith("states:") && !k.startsWith("lambda:") && !k.startsWith("sns:")).toList();
        assertEquals(List.of(), calls, "no S3, Glue, Clean Rooms or Athena call");
        assertEquals(List.of("[SHADOW] ❌ Database Refresh Failed"), sent().stream().map(SnsMessage::subject).toList());
    }
}
