package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
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
 * the fault-free one; a fault that outlasts the retries surfaces as TransientAwsException, which
 * says what was done; a rerun after the fault ends in the complete state. Each handler runs in this
 * JVM as its function's role ({@link InProcess}), so the local IAM check sees every call it makes.
 *
 * <p>Timing of the SLOW fault. A slowed call is answered {@value #SLOW_MILLIS} ms late, past the
 * {@value #ATTEMPT_TIMEOUT_SECONDS} s attempt timeout, and it still reaches the service then (as a
 * timed-out request can on AWS). Nothing here depends on a tight race:
 * <ul>
 *   <li>absorbing two slowed attempts leaves {@value #ABSORB_ATTEMPTS} - 2 attempts, not one, so a
 *       normal call that is slow on a busy machine is retried instead of failing the test;</li>
 *   <li>start-glue-job (one SDK attempt per StartJobRun; it adopts a run a timed-out attempt started,
 *       looking for it after a grace of one attempt timeout, or 30 s when GlueJobStarter was loaded
 *       before this test set the timeout) must see the slowed StartJobRun land within that grace: it
 *       lands {@value #SLOW_MILLIS} ms after it was sent and is looked for no earlier than
 *       2 x {@value #ATTEMPT_TIMEOUT_SECONDS} s, 1.5 s later. The delay is closer to the timeout than to
 *       twice it on purpose: if the attempt timer fires late instead, the slowed answer simply arrives
 *       first and the call succeeds, so that side of the race cannot fail the test.</li>
 *   <li>the complete state is checked only once every slowed call has come out of its delay and
 *       gone on to the service ({@link #drain}): a late attempt that made a duplicate is seen, and none
 *       reaches the next test's world.</li>
 * </ul>
 */
class FaultToleranceTest {
    static final String DB = "omc_flywheel_dev";
    static final String DATA = "omc-flywheel-data-us-east-1-dev";
    static final String JOB = "etl-omc-flywheel-dev-addressable-split-and-part";
    static final Map<String, Integer> INJECTED = new TreeMap<>();
    static final int ATTEMPT_TIMEOUT_SECONDS = 2;
    static final long SLOW_MILLIS = 2_500;
    /** SDK attempts per call while two faults are absorbed: three left after them. */
    static final int ABSORB_ATTEMPTS = 5;
    /** SDK attempts per call under a fault that outlasts them (fewer: each is answered 503 at once). */
    static final int OUTLAST_ATTEMPTS = 3;
    /** Per operation, the calls that got past the proxy's faults (a SLOW one once its delay is over). */
    static final Map<String, AtomicInteger> RELEASED = new ConcurrentHashMap<>();
    static final ObjectMapper JSON = new ObjectMapper();
    static LocalCloud cloud;

    /**
     * One function: its world, its handler, its event, the operation to break, and the check of the
     * complete state, given the handler's answer.
     */
    record Scenario(String function, Runnable world, Supplier<RequestStreamHandler> handler, String event,
            String operation, Consumer<JsonNode> complete) {
    }

    /** Sees each call after the faults (after a SLOW one's delay) and lets it go on: see drain(). */
    private static final AwsProxy.Rule RELEASE_COUNTER = call -> {
        RELEASED.computeIfAbsent(call.key(), k -> new AtomicInteger()).incrementAndGet();
        return Optional.empty();
    };

    @BeforeAll
    static void fastAttempts() {
        System.setProperty("FLYWHEEL_CALL_ATTEMPT_TIMEOUT_SECONDS", String.valueOf(ATTEMPT_TIMEOUT_SECONDS));
        cloud = StateMachineHarness.cloud();
        // Installed by each class that uses this set-up (ThrottlingToleranceTest too) and taken back after
        // it: another class of the same JVM may clear the proxy's rules in between (StateMachineHarness.fresh).
        cloud.proxy().removeRule(RELEASE_COUNTER);
        cloud.proxy().addRuleFirst(RELEASE_COUNTER);
    }

    /** Throttling is absorbed too, more slowly (the adaptive strategy's backoff): ThrottlingToleranceTest. */
    static boolean throttling(FaultKind kind) {
        return kind == FaultKind.THROTTLING_400 || kind == FaultKind.TOO_MANY_REQUESTS_429;
    }

    @AfterAll
    static void restore() {
        cloud.proxy().removeRule(RELEASE_COUNTER);
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
                out -> {
                    List<String> runs = glue().getJobRuns(b -> b.jobName(JOB)).jobRuns().stream().map(r -> r.id())
                            .toList();
                    assertEquals(1, runs.size(), "exactly one run: " + runs);
                    assertEquals(JOB, out.path("jobName").asText(), out.toString());
                    assertEquals(runs.get(0), out.path("jobRunId").asText(), "the answer names that run: " + out);
                }));
        all.add(new Scenario("check-status", () -> {
            job();
            // Runs end at once (moto's default), whatever an earlier test set: the run's state is known.
            cloud.moto().glueJobRunsFinishImmediately();
        }, CheckStatusHandler::new, null, "glue:GetJobRun", out -> {
            List<String> runs = glue().getJobRuns(b -> b.jobName(JOB)).jobRuns().stream().map(r -> r.id()).toList();
            assertEquals(1, runs.size(), runs.toString());
            assertEquals(JOB, out.path("jobName").asText(), out.toString());
            assertEquals(runs.get(0), out.path("jobRunId").asText(), "the run asked about: " + out);
            assertEquals("SUCCEEDED", out.path("status").asText(), out.toString());
            assertEquals("SUCCEEDED", out.path("state").asText(), "Glue's own state: " + out);
            assertTrue(out.path("terminal").asBoolean(false), out.toString());
            assertEquals(0, out.path("nextWaitSeconds").asInt(-1), out.toString());
            assertEquals(1, out.path("pollCount").asInt(), "the event's pollCount 0, plus this poll: " + out);
            assertFalse(out.has("errorMessage"), out.toString());
        }));
        all.add(new Scenario("msck-repair", FaultToleranceTest::lake, MsckRepairHandler::new,
                SampleEvents.read("msck-repair.json"), "glue:BatchCreatePartition",
                out -> List.of("part_ibe_01", "part_ibe_02").forEach(t -> assertEquals(4,
                        glue().getPartitions(b -> b.databaseName(DB).tableName(t)).partitions().size(), t))));
        all.add(new Scenario("associate-tables", () -> {
            lake();
            cloud.cleanRooms().collaboration("AMC", List.of(new CleanRoomsStandIn.Member("111111111111", "AMC Service",
                    List.of("CAN_QUERY")), new CleanRoomsStandIn.Member("222222222222", "AMC Results",
                    List.of("CAN_RECEIVE_RESULTS"))), null, "0b6e5a4c-6f2d-4a8e-9c1b-3d5f7e9a1c2b");
        }, AssociateTablesHandler::new, SampleEvents.read("associate-tables-dry-run.json").replace("\"dryRun\": true",
                "\"dryRun\": false"), "cleanrooms:POST /memberships/{id}/configuredTableAssociations",
                out -> assertEquals(2, cloud.cleanRooms().mutations().stream()
                        .filter(m -> m.startsWith("CreateConfiguredTableAssociationAnalysisRule")).count())));
        all.add(new Scenario("build-report", FaultToleranceTest::lake, BuildReportHandler::new,
                SampleEvents.read("build-report-data-monitor.json").replace("\"countTolerancePct\": 0",
                        "\"countCheckEnabled\": false"), "s3:PutObject",
                out -> assertEquals(2, AwsClients.build(S3Client.builder()).listObjectsV2(b -> b.bucket(
                        "omc-flywheel-dev-analysis-data").prefix("data-monitor/")).keyCount())));
        all.add(new Scenario("resolve-snapshot", FaultToleranceTest::lake, ResolveSnapshotHandler::new,
                SampleEvents.read("resolve-snapshot.json"), "s3:ListObjectsV2", out -> assertEquals(json("""
                        {"snapshotDt": "2025-10-22", "resolved": true, "newestPerPrefix": {
                          "s3://omc-flywheel-data-us-east-1-dev/opus/addressable_ids/raw_input/": "2025-10-22",
                          "s3://omc-flywheel-data-us-east-1-dev/opus/infobase_attributes/raw_input/": "2025-10-22"},
                         "skippedIncomplete": {}}"""), out, "the one complete snapshot, under both prefixes")));
        all.add(new Scenario("fetch-active-topics", () -> {
            TopicRegistry.create(AwsClients.build(DynamoDbClient.builder()), TopicRegistry.TABLE)
                    .topic("t1", true, "ENABLED", Map.of())
                    .topic("t2", true, "DISABLED", Map.of())
                    .topic("t3", false, "ENABLED", Map.of());
        }, FetchActiveTopicsHandler::new, SampleEvents.read("fetch-active-topics.json"), "dynamodb:Scan",
                out -> assertEquals(json("{\"topics\": [\"t1\"], \"count\": 1}"), out,
                        "t1 alone: t2 is not ENABLED, t3 not active")));
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
                out -> assertEquals(1, cloud.athenaCtas().ctasQueries().size(),
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
        RELEASED.clear();
        s.world().run();
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The handler, its SDK clients built with {@code attempts} attempts a call. */
    private static RequestStreamHandler handler(Scenario s, int attempts) {
        System.setProperty("FLYWHEEL_MAX_ATTEMPTS", String.valueOf(attempts));
        return s.handler().get();
    }

    /**
     * Runs the handler as its function's role: every call the proxy let through to the IAM check while
     * it ran was authorized as that role (none went unchecked), and any refusal fails the test
     * ({@link LocalIamCheck}).
     */
    private static String invoke(Scenario s, RequestStreamHandler handler, String event) {
        Map<String, Integer> before = cloud.iam().checked();
        try {
            return InProcess.invoke(handler, s.function(), event);
        } finally {
            String role = cloud.stack().roleOfFunction(s.function());
            Map<String, Integer> after = cloud.iam().checked();
            List<String> principals = after.keySet().stream()
                    .filter(p -> after.get(p) > before.getOrDefault(p, 0)).toList();
            assertTrue(List.of(role).containsAll(principals), s.function() + "'s calls were checked as "
                    + principals + ", not only as its role " + role);
        }
    }

    /**
     * Waits until every call of {@code operation} the proxy has seen got past its faults: each call
     * slowed by a SLOW fault has then been sent on to the service (and answered there while this waits
     * no more than a local call takes).
     */
    private static void drain(String operation) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2 * SLOW_MILLIS + 30_000);
        while (released(operation) < cloud.proxy().count(operation)) {
            if (System.nanoTime() - deadline > 0) {
                fail(operation + ": " + (cloud.proxy().count(operation) - released(operation)) + " calls never came"
                        + " out of the proxy (refused by the IAM check? " + cloud.iam().describeDenials() + ")");
            }
            Thread.sleep(20);
        }
    }

    private static int released(String operation) {
        AtomicInteger n = RELEASED.get(operation);
        return n == null ? 0 : n.get();
    }

    @TestFactory
    List<DynamicTest> transientFaultsAreAbsorbedByTheSdksRetries() {
        return absorbed(kind -> !throttling(kind));
    }

    /** For every function, each fault kind {@code kinds} takes, twice: the SDK's retries absorb them. */
    static List<DynamicTest> absorbed(java.util.function.Predicate<FaultKind> kinds) {
        List<DynamicTest> tests = new ArrayList<>();
        for (Scenario s : scenarios()) {
            for (FaultKind kind : FaultKind.values()) {
                if (!kinds.test(kind)) {
                    continue;
                }
                tests.add(DynamicTest.dynamicTest(s.function() + " " + kind, () -> {
                    world(s);
                    String event = event(s);
                    Fault fault = cloud.proxy().inject(new Fault(s.operation(), kind, 2, 0, SLOW_MILLIS));
                    String out = invoke(s, handler(s, ABSORB_ATTEMPTS), event);
                    // Two faults, unless the first one's attempt landed and was adopted (start-glue-job, SLOW).
                    assertTrue(fault.injected() >= 1, "the fault was hit");
                    INJECTED.merge(s.operation(), fault.injected(), Integer::sum);
                    if (kind == FaultKind.SLOW) {
                        drain(s.operation());
                    }
                    s.complete().accept(json(out));
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
                    invoke(s, handler(s, OUTLAST_ATTEMPTS), event);
                    fail(s.function() + " succeeded through a persistent 503 on " + s.operation());
                } catch (FlywheelException e) {
                    // Every function raises the one transient error the state machines retry (TRANSIENT in
                    // statemachine/generate.py), never a PartialFailureException or the like that they do not.
                    assertEquals("TransientAwsException", e.errorType(), e.getMessage());
                    assertTrue(e.getMessage().contains("transient") || e.getMessage().contains("503"),
                            "the message says why: " + e.getMessage());
                }
                INJECTED.merge(s.operation(), fault.injected(), Integer::sum);
                cloud.proxy().clearFaults();
                String out = invoke(s, handler(s, OUTLAST_ATTEMPTS), event);
                s.complete().accept(json(out));
            }));
        }
        return tests;
    }
}
