package com.omc.flywheel.notifyfailure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * Every events/notify-failure*.json through the handler against moto, with the outcome it is meant
 * to have. The FAILED event names an execution this test runs in moto's Step Functions engine: a
 * small refresh that resolves its snapshot, registers one job run, and fails at RegisterTables.
 */
class NotifyFailureSampleEventsTest {
    static final MotoServer MOTO = MotoServer.shared();
    static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:omc-flywheel-dev-db-refresh-notifications";
    static final String DEFINITION = """
            {"StartAt": "ResolveNewestSnapshot", "States": {
              "ResolveNewestSnapshot": {"Type": "Pass", "Result": {"snapshotDt": "2025-10-22"},
                                        "ResultPath": "$.snapshot", "Next": "SplitInputs"},
              "SplitInputs": {"Type": "Parallel", "ResultPath": "$.results.split", "Next": "SkipRegister?",
                              "Branches": [
                {"StartAt": "SplitInfobase", "States": {"SplitInfobase": {"Type": "Pass", "End": true,
                  "Result": {"step": "SplitInfobase", "jobName": "etl-omc-flywheel-dev-infobase-split-and-part",
                             "jobRunId": "jr_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}}}]},
              "SkipRegister?": {"Type": "Choice", "Default": "RegisterTables", "Choices": [
                {"Variable": "$.skip.SplitInfobase", "IsPresent": true, "Next": "RegisterTables"}]},
              "RegisterTables": {"Type": "Parallel", "ResultPath": "$.results.register", "End": true, "Branches": [
                {"StartAt": "RegisterInfobaseFailed", "States": {"RegisterInfobaseFailed": {"Type": "Fail",
                  "Error": "GlueJobFailed", "Cause": "AnalysisException: Path does not exist"}}}]}}}
            """;

    /** A refresh's end, as the output of one Pass: each step's result where db-refresh puts it. */
    static final String SUCCESS = """
            {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": true, "Result": {
              "snapshot": {"snapshotDt": "2025-10-22"},
              "results": {
                "split": [{"step": "SplitAddressableIds", "jobRunId": "jr_aaaa", "elapsedSeconds": 3720},
                          {"step": "SplitInfobase", "skipped": true}],
                "register": [{"step": "RegisterAddressableIds", "jobRunId": "jr_bbbb", "elapsedSeconds": 240},
                             {"step": "RegisterInfobase", "jobRunId": "jr_cccc", "elapsedSeconds": 300}],
                "repair": {"summary": {"partitionsAdded": 96, "tables": 12, "failed": 0}},
                "er": [{"step": "BuildErTable", "polls": 3, "result": {"status": "COMPLETE", "action": "REFRESHED",
                        "rows": 1234, "location": "s3://d/er/snapshot_dt=2025-10-22/run=20251101t020304z/",
                        "previousLocation": "s3://d/acx_ids_cur/"}}],
                "associate": {"actions": {"CREATE_ASSOCIATION": 2, "CREATE_CONFIGURED_TABLE": 1}, "skippedForQuota": 0},
                "reports": [{"report": "DATA_MONITOR", "issues": 3, "reportKeys": [
                              "data-monitor/ACX_Data_Monitor_Report_2025-11-01.json",
                              "data-monitor/ACX_Data_Monitor_Report_2025-11-01.csv"]},
                            {"report": "CLEANROOMS", "reportKeys": [
                              "cleanrooms-reports/ACX_Cleanroom_Report_AMC_20251101.json"]}]}}}}}
            """;

    /** Each events/notify-failure-invalid-*.json and the one field it gets wrong. */
    static final Map<String, String> INVALID = Map.of(
            "notify-failure-invalid-detail-type.json", "detail-type",
            "notify-failure-invalid-execution-arn.json", "detail.executionArn");

    @TestFactory
    List<DynamicTest> everySampleEvent() {
        List<String> files = SampleEvents.forFunction("notify-failure");
        assertTrue(files.size() >= 2, files.toString());
        return files.stream().map(f -> DynamicTest.dynamicTest(f, () -> run(f))).toList();
    }

    private static FailureNotifier unreachable() {
        URI nowhere = URI.create("http://127.0.0.1:9");
        return new FailureNotifier(AwsClients.build(SfnClient.builder().endpointOverride(nowhere)),
                AwsClients.build(SnsClient.builder().endpointOverride(nowhere)), TOPIC, "dev");
    }

    private void run(String file) {
        String body = SampleEvents.read(file);
        if (file.contains("-invalid-")) {
            String field = INVALID.get(file);
            if (field == null) {
                fail("events/" + file + " has no expected bad field in this test (INVALID): add one");
            }
            InvalidInputException e = assertThrows(InvalidInputException.class,
                    () -> SampleEvents.invoke(new NotifyFailureHandler(unreachable()), "notify-failure", body));
            assertEquals("InvalidInputException", e.errorType(), "the contract's errorType");
            assertEquals(field, e.field(), e.getMessage());
            assertTrue(e.getMessage().startsWith("field '" + field + "': "), "the message names " + field + ": "
                    + e.getMessage());
            return;
        }
        switch (file) {
            case "notify-failure-topic-succeeded.json" -> {
                // Unreachable clients: another machine's success makes no AWS call at all.
                String out = SampleEvents.invoke(new NotifyFailureHandler(unreachable()), "notify-failure", body);
                assertTrue(out.contains("\"notified\":false"), out);
            }
            case "notify-failure-succeeded.json" -> {
                // A refresh that succeeded; the event carries no output (as over EventBridge's size):
                // DescribeExecution.
                String execution = ranToItsEnd(SUCCESS, "{\"environment\": \"dev\", \"snsTopicArn\": \"" + TOPIC
                        + "\"}");

                String out = SampleEvents.invoke(new NotifyFailureHandler(), "notify-failure", body);

                assertTrue(out.contains("\"notified\":true"), out);
                List<MotoServer.SnsMessage> sent = MOTO.snsMessages();
                assertEquals(1, sent.size(), sent.toString());
                assertEquals("✅ Database Refresh Completed Successfully", sent.get(0).subject());
                String m = sent.get(0).message();
                assertTrue(m.startsWith("Database refresh completed in dev for snapshot 2025-10-22 in 41.1 minutes.\n"),
                        m);
                for (String row : List.of("Step +Minutes +Glue job run / result",
                        "SplitAddressableIds +62\\.0 +jr_aaaa",
                        "SplitInfobase +skipped", "RegisterInfobase +5\\.0 +jr_cccc",
                        "RepairPartitions +96 partitions added in 12 tables",
                                "BuildErTable +REFRESHED, 1234 rows, "
                                + "s3://d/er/snapshot_dt=2025-10-22/run=20251101t020304z/",
                        "AssociateTables +create association 2, create configured table 1",
                                "DataMonitorReport +3 alert\\(s\\)",
                        "CleanRoomsReport +1 file\\(s\\)")) {
                    assertTrue(m.lines().anyMatch(l -> l.matches(row)), row + " in:\n" + m);
                }
                assertTrue(m.contains("\nReports:\n  data-monitor/ACX_Data_Monitor_Report_2025-11-01.json\n")
                        && m.contains("Execution: " + execution), m);
            }
            case "notify-failure.json" -> {
                String execution = ranToItsEnd(DEFINITION, "{\"environment\": \"dev\", \"snsTopicArn\": \"" + TOPIC
                        + "\", \"rawInputPrefixes\": []}");

                String out = SampleEvents.invoke(new NotifyFailureHandler(), "notify-failure", body);

                assertTrue(out.contains("\"notified\":true") && out.contains("\"failedStep\":\"RegisterTables\""), out);
                List<MotoServer.SnsMessage> sent = MOTO.snsMessages();
                assertEquals(1, sent.size(), sent.toString());
                assertEquals("❌ Database Refresh Failed", sent.get(0).subject());
                String m = sent.get(0).message();
                assertTrue(m.contains("Database refresh failed in dev at step RegisterTables, snapshot 2025-10-22")
                        && m.contains("(in RegisterInfobaseFailed)") && m.contains("Error: GlueJobFailed")
                        && m.contains("Path does not exist"), m);
                assertTrue(m.contains("SplitInputs: SplitInfobase Glue run jr_0123456789abcdef"), m);
                // A Glue job's loop ended in a Fail state: a redrive would fail there again, so none is offered.
                assertFalse(m.contains("redrive-execution"), m);
                assertTrue(m.contains("Do not redrive: it failed in the Fail state RegisterInfobaseFailed")
                        && m.contains("bin/flywheel refresh resume " + execution + " --region us-east-1"), m);
                assertTrue(m.contains("\"skip\" : {\n    \"SplitInfobase\" : true")
                        && m.contains("\"snapshotDt\" : \"2025-10-22\""),
                        m);
            }
            default -> fail("events/" + file + " has no expected outcome in this test: add one");
        }
    }

    /**
     * moto reset with its Step Functions engine on and the notification topic; db-refresh created with
     * {@code definition}; the event's execution (monthly-2025-11-01) run with {@code input} to its end.
     */
    private static String ranToItsEnd(String definition, String input) {
        MOTO.reset();
        MOTO.post("/moto-api/config", "{\"stepfunctions\":{\"execute_state_machine\":true}}");
        AwsClients.build(SnsClient.builder()).createTopic(b -> b.name("omc-flywheel-dev-db-refresh-notifications"));
        SfnClient sfn = AwsClients.build(SfnClient.builder());
        String machine = sfn.createStateMachine(b -> b.name("omc-flywheel-dev-db-refresh").definition(definition)
                .roleArn("arn:aws:iam::123456789012:role/states")).stateMachineArn();
        String execution = sfn.startExecution(b -> b.stateMachineArn(machine).name("monthly-2025-11-01").input(input))
                .executionArn();
        waitForEnd(sfn, execution);
        return execution;
    }

    private static void waitForEnd(SfnClient sfn, String execution) {
        for (int i = 0; i < 100; i++) {
            if (sfn.describeExecution(b -> b.executionArn(execution)).status() != ExecutionStatus.RUNNING) {
                return;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new AssertionError(execution + " did not end");
    }
}
