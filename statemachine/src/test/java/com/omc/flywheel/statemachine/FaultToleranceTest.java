package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.omc.flywheel.associatetables.AssociateTablesHandler;
import com.omc.flywheel.buildreport.BuildReportHandler;
import com.omc.flywheel.checkstatus.CheckStatusHandler;
import com.omc.flywheel.fetchactivetopics.FetchActiveTopicsHandler;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.cleanrooms.CleanRoomsStandIn;
import com.omc.flywheel.local.fixtures.LakeBuilder;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.fixtures.TopicRegistry;
import com.omc.flywheel.local.proxy.AwsProxy;
import com.omc.flywheel.local.proxy.AwsProxy.Fault;
import com.omc.flywheel.local.proxy.AwsProxy.FaultKind;
import com.omc.flywheel.msckrepair.MsckRepairHandler;
import com.omc.flywheel.resolvesnapshot.ResolveSnapshotHandler;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.errors.FlywheelException;
import com.omc.flywheel.startgluejob.StartGlueJobHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Every function under injected faults (the proxy in front of moto and the stand-in): throttling
 * (400 and 429), 500, 503, answers slower than the client's attempt timeout, and reset connections.
 * A fault on the first two calls of an operation is absorbed by the SDK's retries and the result is
 * the fault-free one; a fault that outlasts the retries surfaces as a typed, transient error that says
 * what was done; a rerun after the fault ends in the complete state.
 */
class FaultToleranceTest {
    static final String DB = "omc_flywheel_dev";
    static final String DATA = "omc-flywheel-data-us-east-1-dev";
    static final String JOB = "etl-omc-flywheel-dev-addressable-split-and-part";
    static final Map<String, Integer> INJECTED = new TreeMap<>();
    static LocalCloud cloud;

    /** One function: its world, its handler, its event, the operation to break and the complete state to reach. */
    record Scenario(String function, Runnable world, Supplier<RequestStreamHandler> handler, String event,
            String operation,
                    Runnable complete) {
    }

    @BeforeAll
    static void fastAttempts() {
        System.setProperty("FLYWHEEL_CALL_ATTEMPT_TIMEOUT_SECONDS", "2");
        System.setProperty("FLYWHEEL_MAX_ATTEMPTS", "3");
        cloud = StateMachineHarness.cloud();
    }

    @AfterAll
    static void restore() {
        System.clearProperty("FLYWHEEL_CALL_ATTEMPT_TIMEOUT_SECONDS");
        System.clearProperty("FLYWHEEL_MAX_ATTEMPTS");
        cloud.proxy().clearFaults();
        System.out.println("faults injected per operation: " + INJECTED);
    }

    static GlueClient glue() {
        return AwsClients.build(GlueClient.builder());
    }

    static void job() {
        glue().createJob(b -> b.name(JOB).role("arn:aws:iam::123456789012:role/glue")
                .command(c -> c.name("glueetl").scriptLocation("s3://scripts/split.py")));
    }

    static void lake() {
        S3Client s3 = AwsClients.build(S3Client.builder());
        LakeBuilder lake = new LakeBuilder(glue(), s3).database(DB).bucket(DATA)
                .bucket("omc-flywheel-dev-analysis-data");
        for (String t : List.of("part_ibe_01", "part_ibe_02")) {
            lake.table(new LakeBuilder.Table(DB, t, "s3://" + DATA + "/split_part/" + t + "/", 4,
                    LakeBuilder.Registration.PARTITIONED, LakeBuilder.buckets(4), List.of(0), Map.of()));
        }
        for (String source : List.of("addressable_ids", "infobase_attributes")) {
            s3.putObject(b -> b.bucket(DATA).key("opus/" + source + "/raw_input/snapshot_dt=2025-10-22/_SUCCESS"),
                    RequestBody.fromString(""));
        }
        AwsClients.build(software.amazon.awssdk.services.sns.SnsClient.builder())
                .createTopic(b -> b.name("omc-flywheel-dev-data-monitor-alerts"));
    }

    static List<Scenario> scenarios() {
        List<Scenario> all = new ArrayList<>();
        all.add(new Scenario("start-glue-job", FaultToleranceTest::job, StartGlueJobHandler::new,
                SampleEvents.read("start-glue-job.json"), "glue:StartJobRun",
                () -> assertEquals(1, glue().getJobRuns(b -> b.jobName(JOB)).jobRuns().size(), "exactly one run")));
        all.add(new Scenario("check-status", FaultToleranceTest::job, CheckStatusHandler::new, null, "glue:GetJobRun",
                () -> { }));
        all.add(new Scenario("msck-repair", FaultToleranceTest::lake, MsckRepairHandler::new,
                SampleEvents.read("msck-repair.json"), "glue:BatchCreatePartition",
                () -> List.of("part_ibe_01", "part_ibe_02").forEach(t -> assertEquals(4,
                        glue().getPartitions(b -> b.databaseName(DB).tableName(t)).partitions().size(), t))));
        all.add(new Scenario("associate-tables", () -> {
            lake();
            cloud.cleanRooms().collaboration("AMC", List.of(new CleanRoomsStandIn.Member("111111111111", "AMC Service",
                    List.of("CAN_QUERY")), new CleanRoomsStandIn.Member("222222222222", "AMC Results",
                    List.of("CAN_RECEIVE_RESULTS"))), null, "0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b");
        }, AssociateTablesHandler::new, SampleEvents.read("associate-tables-dry-run.json").replace("\"dryRun\": true",
                "\"dryRun\": false"), "cleanrooms:POST /memberships/{id}/configuredTableAssociations",
                () -> assertEquals(2, cloud.cleanRooms().mutations().stream()
                        .filter(m -> m.startsWith("CreateConfiguredTableAssociationAnalysisRule")).count())));
        all.add(new Scenario("build-report", FaultToleranceTest::lake, BuildReportHandler::new,
                SampleEvents.read("build-report-data-monitor.json").replace("\"countTolerancePct\": 0",
                        "\"countCheckEnabled\": false"), "s3:PutObject",
                () -> assertEquals(2, AwsClients.build(S3Client.builder()).listObjectsV2(b -> b.bucket(
                        "omc-flywheel-dev-analysis-data").prefix("data-monitor/")).keyCount())));
        all.add(new Scenario("resolve-snapshot", FaultToleranceTest::lake, ResolveSnapshotHandler::new,
                SampleEvents.read("resolve-snapshot.json"), "s3:ListObjectsV2", () -> { }));
        all.add(new Scenario("fetch-active-topics", () -> {
            TopicRegistry.create(AwsClients.build(DynamoDbClient.builder()), TopicRegistry.TABLE)
                    .topic("t1", true, "ENABLED", Map.of());
        }, FetchActiveTopicsHandler::new, SampleEvents.read("fetch-active-topics.json"), "dynamodb:Scan", () -> { }));
        all.add(new Scenario("refresh-er-table", () -> {
            lake();
            new LakeBuilder(glue(), AwsClients.build(S3Client.builder())).database(DB).withParquetFiles(null)
                    .table(new LakeBuilder.Table(DB, "part_addressable_ids", DbRefreshStateMachineTest.ADDRESSABLE_IDS,
                            1,
                            LakeBuilder.Registration.PARTITIONED, LakeBuilder.buckets(2), LakeBuilder.buckets(2),
                                    Map.of()));
        }, com.omc.flywheel.refreshertable.RefreshErTableHandler::new, SampleEvents.read("refresh-er-table.json"),
                "athena:StartQueryExecution",
                // The ClientRequestToken: a start that landed but whose answer was lost is the same query when retried.
                () -> assertEquals(1, cloud.athenaCtas().ctasQueries().size(),
                        cloud.athenaCtas().ctasQueries().toString())));
        return all;
    }

    private static String event(Scenario s) {
        if (s.event() != null) {
            return s.event();
        }
        String run = glue().startJobRun(b -> b.jobName(JOB)).jobRunId();
        return SampleEvents.read("check-status-glue.json").replaceAll("jr_0+", run);
    }

    private static void world(Scenario s) {
        cloud.reset();
        cloud.proxy().clearFaults();
        s.world().run();
    }

    @TestFactory
    List<DynamicTest> transientFaultsAreAbsorbedByTheSdksRetries() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Scenario s : scenarios()) {
            for (FaultKind kind : FaultKind.values()) {
                tests.add(DynamicTest.dynamicTest(s.function() + " " + kind, () -> {
                    world(s);
                    String event = event(s);
                    Fault fault = cloud.proxy().inject(Fault.first(s.operation(), kind, 2));
                    String out = SampleEvents.invoke(s.handler().get(), s.function(), event);
                    assertTrue(out.startsWith("{"), out);
                    // Two faults, unless the first one's attempt landed and was adopted (start-glue-job, SLOW).
                    assertTrue(fault.injected() >= 1, "the fault was hit");
                    INJECTED.merge(s.operation(), fault.injected(), Integer::sum);
                    s.complete().run();
                }));
            }
        }
        return tests;
    }

    @TestFactory
    List<DynamicTest> aFaultThatOutlastsTheRetriesIsReportedAndARerunCompletes() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Scenario s : scenarios()) {
            tests.add(DynamicTest.dynamicTest(s.function(), () -> {
                world(s);
                String event = event(s);
                Fault fault = cloud.proxy().inject(Fault.first(s.operation(), FaultKind.UNAVAILABLE_503, 1_000));
                try {
                    SampleEvents.invoke(s.handler().get(), s.function(), event);
                    fail(s.function() + " succeeded through a persistent 503 on " + s.operation());
                } catch (FlywheelException e) {
                    assertTrue(e.errorType().equals("TransientAwsException") || e.getMessage().contains("transient"),
                            e.errorType() + ": " + e.getMessage());
                }
                INJECTED.merge(s.operation(), fault.injected(), Integer::sum);
                cloud.proxy().clearFaults();
                String out = SampleEvents.invoke(s.handler().get(), s.function(), event);
                assertTrue(out.startsWith("{"), out);
                s.complete().run();
            }));
        }
        return tests;
    }
}
