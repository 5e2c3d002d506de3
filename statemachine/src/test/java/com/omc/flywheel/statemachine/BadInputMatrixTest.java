package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.omc.flywheel.associatetables.AssociateTablesHandler;
import com.omc.flywheel.buildreport.BuildReportHandler;
import com.omc.flywheel.checkstatus.CheckStatusHandler;
import com.omc.flywheel.fetchactivetopics.FetchActiveTopicsHandler;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.msckrepair.MsckRepairHandler;
import com.omc.flywheel.notifyfailure.NotifyFailureHandler;
import com.omc.flywheel.resolvesnapshot.ResolveSnapshotHandler;
import com.omc.flywheel.shared.errors.InvalidInputException;
import com.omc.flywheel.startgluejob.StartGlueJobHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * For every function (notify-failure and its EventBridge event included), malformed events (missing,
 * blank and mistyped fields, unknown fields, invalid and SQL-looking identifiers, invalid dates,
 * out-of-range numbers, oversized lists, bodies that are not one JSON object): each is an
 * InvalidInputException naming the field, and not one AWS call is made (the proxy in front of every
 * emulator counts zero calls), so no state can change. Each handler runs as its function's role
 * ({@link InProcess}), as in FaultToleranceTest.
 */
class BadInputMatrixTest {
    static int tried;

    /** A malformed event and the field its error must name ("" for a body that is not a JSON object). */
    record Case(String json, String field) {
    }

    static final String LONG_LIST = "[" + "\"part_x\",".repeat(5_000) + "\"part_x\"]";
    static final String GENERIC_NOT_OBJECT = "not json";

    static Map<String, Supplier<RequestStreamHandler>> handlers() {
        Map<String, Supplier<RequestStreamHandler>> h = new LinkedHashMap<>();
        h.put("start-glue-job", StartGlueJobHandler::new);
        h.put("check-status", CheckStatusHandler::new);
        h.put("msck-repair", MsckRepairHandler::new);
        h.put("associate-tables", AssociateTablesHandler::new);
        h.put("build-report", BuildReportHandler::new);
        h.put("resolve-snapshot", ResolveSnapshotHandler::new);
        h.put("fetch-active-topics", FetchActiveTopicsHandler::new);
        h.put("refresh-er-table", com.omc.flywheel.refreshertable.RefreshErTableHandler::new);
        h.put("notify-failure", NotifyFailureHandler::new);
        return h;
    }

    static Map<String, List<Case>> matrix() {
        Map<String, List<Case>> m = new LinkedHashMap<>();
        String job = "\"jobName\": \"etl-omc-flywheel-dev-x\"";
        m.put("start-glue-job", List.of(
                new Case("{}", "jobName"),
                new Case("{\"jobName\": \"  \"}", "jobName"),
                new Case("{\"jobName\": 42}", "jobName"),
                new Case("{\"jobName\": \"etl x; rm -rf\"}", "jobName"),
                new Case("{" + job + ", \"arguments\": {\"DATABASE\": \"x\"}}", "arguments.DATABASE"),
                new Case("{" + job + ", \"arguments\": {\"--X\": 5}}", "arguments.--X"),
                new Case("{" + job + ", \"arguments\": [\"--X\"]}", "arguments"),
                new Case("{" + job + ", \"snapshotDt\": \"2025-02-30\"}", "snapshotDt"),
                new Case("{" + job + ", \"snapshotDt\": \"22/10/2025\"}", "snapshotDt"),
                new Case("{" + job + ", \"onConcurrentRun\": \"WAIT\"}", "onConcurrentRun"),
                new Case("{" + job + ", \"onConcurrencyLimit\": \"BLOCK\"}", "onConcurrencyLimit"),
                new Case("{" + job + ", \"jobname\": \"typo\"}", "jobname"),
                new Case(GENERIC_NOT_OBJECT, "")));
        String run = "\"jobRunId\": \"jr_" + "a".repeat(64) + "\"";
        m.put("check-status", List.of(
                new Case("{}", ""),
                new Case("{" + job + "}", "jobRunId"),
                new Case("{\"jobName\": \"etl-x\", \"jobRunId\": \"jr_1\"}", "jobRunId"),
                new Case("{" + job + ", " + run + ", \"queryExecutionIds\": [\"x\"]}", ""),
                new Case("{\"queryExecutionIds\": []}", "queryExecutionIds"),
                new Case("{\"queryExecutionIds\": [\"not-a-uuid\"]}", "queryExecutionIds[0]"),
                new Case("{\"queryExecutionIds\": " + "[" + "\"00000000-0000-0000-0000-000000000000\",".repeat(50)
                        + "\"00000000-0000-0000-0000-000000000001\"]}", "queryExecutionIds"),
                new Case("{" + job + ", " + run + ", \"pollCount\": -1}", "pollCount"),
                new Case("{" + job + ", " + run + ", \"pollCount\": \"1\"}", "pollCount"),
                new Case("{" + job + ", " + run + ", \"extra\": true}", "extra"),
                new Case("[1, 2]", ""),
                new Case("null", "")));
        String db = "\"database\": \"omc_flywheel_dev\", \"tablePrefix\": \"part_\"";
        m.put("msck-repair", List.of(
                new Case("{\"tablePrefix\": \"part_\"}", "database"),
                new Case("{\"database\": \"OMC\", \"tablePrefix\": \"part_\"}", "database"),
                new Case("{\"database\": \"omc_flywheel_dev\", \"tablePrefix\": \"\"}", "tablePrefix"),
                new Case("{" + db + ", \"tables\": [\"part_x; DROP TABLE y\"]}", "tables[0]"),
                new Case("{" + db + ", \"tables\": []}", "tables"),
                new Case("{" + db + ", \"tables\": " + LONG_LIST + "}", "tables"),
                new Case("{" + db + ", \"mode\": \"FAST\"}", "mode"),
                new Case("{" + db + ", \"partitionKey\": \"id-bucket\"}", "partitionKey"),
                new Case("{" + db + ", \"workgroup\": \"prim ary\"}", "workgroup"),
                new Case("{" + db + ", \"outputLocation\": \"https://x\"}", "outputLocation"),
                new Case("{" + db + ", \"continuationToken\": \"bm90\"}", "continuationToken"),
                new Case("{" + db + ", \"exclude\": \"part_a\"}", "exclude")));
        String assoc = "\"membershipId\": \"0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b\", " + db
                + ", \"roleArn\": \"arn:aws:iam::123456789012:role/r\"";
        m.put("associate-tables", List.of(
                new Case("{" + db + ", \"roleArn\": \"arn:aws:iam::123456789012:role/r\"}", "membershipId"),
                new Case("{\"membershipId\": \"AMC\", " + db + ", \"roleArn\": \"arn:aws:iam::123456789012:role/r\"}",
                        "membershipId"),
                new Case("{\"membershipId\": \"0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b\", " + db + "}", "roleArn"),
                new Case("{\"membershipId\": \"0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b\", " + db
                        + ", \"roleArn\": \"role/r\"}", "roleArn"),
                new Case("{" + assoc + ", \"maxAssociations\": 0}", "maxAssociations"),
                new Case("{" + assoc + ", \"maxAssociations\": 1000}", "maxAssociations"),
                new Case("{" + assoc + ", \"allowedResultReceivers\": [\"1234\"]}", "allowedResultReceivers[0]"),
                new Case("{" + assoc + ", \"allowedAnalysisProviders\": [\"111111111111\", \"111111111111\"]}",
                        "allowedAnalysisProviders[1]"),
                new Case("{" + assoc + ", \"idNamespaceArn\": \"ACXIdNamespace\"}", "idNamespaceArn"),
                new Case("{" + assoc + ", \"exclude\": [\"Part_N_A\"]}", "exclude[0]"),
                new Case("{" + assoc + ", \"dryRun\": \"yes\"}", "dryRun"),
                new Case("{" + assoc + ", \"dryrun\": true}", "dryrun")));
        String rep = "\"report\": \"DATA_MONITOR\", " + db + ", \"reportBucket\": \"omc-flywheel-dev-analysis-data\"";
        m.put("build-report", List.of(
                new Case("{" + db + ", \"reportBucket\": \"b-b-b\"}", "report"),
                new Case("{\"report\": \"MONTHLY\", " + db + ", \"reportBucket\": \"b-b-b\"}", "report"),
                new Case("{\"report\": \"DATA_MONITOR\", " + db + "}", "reportBucket"),
                new Case("{\"report\": \"DATA_MONITOR\", " + db + ", \"reportBucket\": \"Bad_Bucket\"}",
                        "reportBucket"),
                new Case("{\"report\": \"CLEANROOMS\", " + db + ", \"reportBucket\": \"b-b-b\"}", "membershipId"),
                new Case("{" + rep + ", \"bucketCount\": 0}", "bucketCount"),
                new Case("{" + rep + ", \"pkColumn\": \"id; DROP\"}", "pkColumn"),
                new Case("{" + rep + ", \"compareSourceType\": \"part\"}", "compareSourceType"),
                new Case("{" + rep + ", \"countTolerancePct\": 150}", "countTolerancePct"),
                new Case("{" + rep + ", \"athenaResults\": \"bucket/prefix\"}", "athenaResults"),
                new Case("{" + rep + ", \"autoRepair\": \"athena\"}", "autoRepair"),
                new Case("{" + rep + ", \"snsTopicArn\": \"alerts\"}", "snsTopicArn")));
        m.put("resolve-snapshot", List.of(
                new Case("{}", "rawInputPrefixes"),
                new Case("{\"rawInputPrefixes\": []}", "rawInputPrefixes"),
                new Case("{\"rawInputPrefixes\": [\"s3://b-b-b/p\"]}", "rawInputPrefixes[0]"),
                new Case("{\"rawInputPrefixes\": [\"/local/path/\"]}", "rawInputPrefixes[0]"),
                new Case("{\"rawInputPrefixes\": \"s3://b-b-b/p/\"}", "rawInputPrefixes"),
                new Case("{\"rawInputPrefixes\": [\"s3://b-b-b/p/\"], \"snapshotDt\": \"2025-13-01\"}", "snapshotDt"),
                new Case("{\"rawInputPrefixes\": [\"s3://b-b-b/p/\"], \"snapshotDt\": 20251022}", "snapshotDt"),
                new Case("{\"rawInputPrefixes\": [\"s3://b-b-b/p/\"], \"other\": 1}", "other"),
                new Case("{\"rawInputPrefixes\": " + "[" + "\"s3://b-b-b/p/\",".repeat(10) + "\"s3://b-b-b/q/\"]}",
                        "rawInputPrefixes"),
                new Case("{\"rawInputPrefixes\": [\"s3://b-b-b/p/\"]} trailing", ""),
                new Case("", ""),
                new Case("{\"rawInputPrefixes\": [null]}", "rawInputPrefixes[0]"),
                new Case("{\"mode\": \"GUARD\"}", "mode"),
                new Case("{\"mode\": \"ADMIT\"}", "executionArn"),
                new Case("{\"mode\": \"ADMIT\", \"executionArn\": \"arn:aws:states:us-east-1:123456789012:execution:"
                        + "m:e\", \"rawInputPrefixes\": [\"s3://b-b-b/p/\"]}", "rawInputPrefixes")));
        m.put("fetch-active-topics", List.of(
                new Case("{\"registryTable\": \"x\"}", "registryTable"),
                new Case("{\"registryTable\": \"\"}", "registryTable"),
                new Case("{\"registryTable\": \"a b c\"}", "registryTable"),
                new Case("{\"registryTable\": 7}", "registryTable"),
                new Case("{\"registryTable\": [\"t\"]}", "registryTable"),
                new Case("{\"registryTable\": \"" + "t".repeat(256) + "\"}", "registryTable"),
                new Case("{\"registryTable\": \"registry;drop\"}", "registryTable"),
                new Case("{\"table\": \"registry\"}", "table"),
                new Case("{\"registryTable\": true}", "registryTable"),
                new Case("{\"registryTable\": \"ok-table\", \"registryTable\": \"twice\"}", ""),
                new Case("'registry'", ""),
                new Case("{\"registryTable\": {\"S\": \"t\"}}", "registryTable"),
                new Case("{\"mode\": \"DELETE\"}", "mode"),
                new Case("{\"mode\": \"RECORD_RUN\", \"results\": []}", "topics"),
                new Case("{\"mode\": \"RECORD_RUN\", \"topics\": [\"a\", \"  \"], \"results\": []}", "topics[1]"),
                new Case("{\"topics\": [\"a\"]}", "topics"),
                new Case("{\"mode\": \"TAKE_REBUILD_LOCK\", \"topic\": \"a\", \"executionArn\": \"arn:aws:states:x\"}",
                        "executionArn"),
                new Case("{\"mode\": \"TAKE_REBUILD_LOCK\", \"executionArn\": "
                        + "\"arn:aws:states:us-east-1:123456789012:execution:m:e\"}", "topic")));
        String er = "\"database\": \"omc_flywheel_dev\", \"location\": \"s3://omc-flywheel-data-us-east-1-dev/er/\"";
        String erDt = er + ", \"snapshotDt\": \"2026-11-01\"";
        m.put("refresh-er-table", List.of(
                new Case("{\"location\": \"s3://b-b-b/er/\", \"snapshotDt\": \"2026-11-01\"}", "database"),
                new Case("{" + er + "}", "snapshotDt"),
                new Case("{" + er + ", \"snapshotDt\": \"2026-02-30\"}", "snapshotDt"),
                new Case("{\"database\": \"omc_flywheel_dev\", \"snapshotDt\": \"2026-11-01\"}", "location"),
                new Case("{\"database\": \"omc_flywheel_dev\", \"snapshotDt\": \"2026-11-01\", "
                        + "\"location\": \"s3://b-b-b/er' OR 1=1 --/\"}", "location"),
                new Case("{\"database\": \"omc_flywheel_dev\", \"snapshotDt\": \"2026-11-01\", \"location\": "
                        + "\"s3://b-b-b/er\"}",
                        "location"),
                new Case("{" + erDt + ", \"table\": \"part_addressable_ids\"}", "table"),
                new Case("{" + erDt + ", \"sourceTable\": \"part_ids; DROP TABLE x\"}", "sourceTable"),
                new Case("{" + erDt + ", \"idColumn\": \"row_id\"}", "idColumn"),
                new Case("{" + erDt + ", \"idColumn\": \"Customer_User_Id\"}", "idColumn"),
                new Case("{" + erDt + ", \"workgroup\": \"prim ary\"}", "workgroup"),
                new Case("{" + erDt + ", \"outputLocation\": \"https://x/\"}", "outputLocation"),
                new Case("{" + erDt + ", \"queryExecutionId\": \"0a1b2c3d-0000-4000-8000-000000000000\"}", "attempt"),
                new Case("{" + erDt + ", \"queryExecutionId\": \"0a1b2c3d-0000-4000-8000-000000000000\", "
                        + "\"attempt\": \"../../x\"}", "attempt"),
                new Case("{" + erDt + ", \"table\": \"" + "t".repeat(250) + "\"}", "table"),
                new Case("{" + erDt + ", \"force\": true}", "force")));
        // EventBridge's "Step Functions Execution Status Change": the envelope strict, the detail's own fields checked.
        String machine = "arn:aws:states:us-east-1:123456789012:stateMachine:omc-flywheel-dev-db-refresh";
        String execution = "arn:aws:states:us-east-1:123456789012:execution:omc-flywheel-dev-db-refresh:monthly";
        String envelope = "\"version\": \"0\", \"id\": \"315c1398-40ff-a850-213b-158f73e60176\", "
                + "\"detail-type\": \"Step Functions Execution Status Change\", \"source\": \"aws.states\", "
                + "\"account\": \"123456789012\", \"time\": \"2025-11-01T02:41:07Z\", \"region\": \"us-east-1\", "
                + "\"resources\": [\"" + execution + "\"]";
        String detail = "\"executionArn\": \"" + execution + "\", \"stateMachineArn\": \"" + machine + "\", "
                + "\"status\": \"FAILED\"";
        m.put("notify-failure", List.of(
                new Case("{" + envelope.replace("\"version\": \"0\", ", "") + ", \"detail\": {" + detail + "}}",
                        "version"),
                new Case("{" + envelope.replace("\"id\": \"315c1398-40ff-a850-213b-158f73e60176\"", "\"id\": \" \"")
                        + ", \"detail\": {" + detail + "}}", "id"),
                new Case("{" + envelope.replace("Step Functions Execution Status Change", "Glue Job State Change")
                        + ", \"detail\": {" + detail + "}}", "detail-type"),
                new Case("{" + envelope.replace("\"aws.states\"", "\"aws.glue\"") + ", \"detail\": {" + detail + "}}",
                        "source"),
                new Case("{" + envelope.replace("\"123456789012\"", "\"1234\"") + ", \"detail\": {" + detail + "}}",
                        "account"),
                new Case("{" + envelope + "}", "detail"),
                new Case("{" + envelope + ", \"detail\": {" + detail + "}, \"detial\": {}}", "detial"),
                new Case("{" + envelope + ", \"detail\": {" + detail.replace(execution, "monthly") + "}}",
                        "detail.executionArn"),
                new Case("{" + envelope + ", \"detail\": {" + detail.replace(execution,
                        execution.replace("123456789012", "210987654321")) + "}}", "detail.executionArn"),
                new Case("{" + envelope + ", \"detail\": {" + detail.replace(execution,
                        execution.replace("db-refresh:", "topic-orchestrator:")) + "}}", "detail.executionArn"),
                new Case("{" + envelope + ", \"detail\": {" + detail.replace(machine, "omc-flywheel-dev-db-refresh")
                        + "}}", "detail.stateMachineArn"),
                new Case("{" + envelope + ", \"detail\": {" + detail.replace("FAILED", "DONE") + "}}",
                        "detail.status"),
                new Case("{" + envelope + ", \"detail\": {" + detail.replace(", \"status\": \"FAILED\"", "") + "}}",
                        "detail.status"),
                new Case("[{" + envelope + ", \"detail\": {" + detail + "}}]", "")));
        return m;
    }

    @TestFactory
    List<DynamicTest> everyMalformedEventIsRejectedNamingItsFieldBeforeAnyAwsCall() {
        LocalCloud cloud = StateMachineHarness.cloud();
        List<DynamicTest> tests = new ArrayList<>();
        Map<String, Supplier<RequestStreamHandler>> handlers = handlers();
        matrix().forEach((function, cases) -> {
            assertTrue(cases.size() >= 10, function + " has " + cases.size() + " malformed events");
            for (int i = 0; i < cases.size(); i++) {
                Case c = cases.get(i);
                tests.add(DynamicTest.dynamicTest(function + " #" + (i + 1) + " " + c.field(), () -> {
                    RequestStreamHandler handler = handlers.get(function).get();
                    cloud.proxy().resetCounts();
                    InvalidInputException e = assertThrows(InvalidInputException.class,
                            () -> InProcess.invoke(handler, function, c.json()), c.json());
                    assertEquals("InvalidInputException", e.errorType());
                    assertEquals(c.field(), e.field(), e.getMessage());
                    assertTrue(c.field().isEmpty() || e.getMessage().contains(c.field()), e.getMessage());
                    assertEquals(0, cloud.proxy().total(), "no AWS call: " + cloud.proxy().counts());
                    tried++;
                }));
            }
        });
        return tests;
    }

    @AfterAll
    static void report() {
        System.out.println("malformed events tried: " + tried);
    }
}
