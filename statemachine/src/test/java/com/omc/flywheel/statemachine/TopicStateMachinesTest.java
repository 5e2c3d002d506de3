package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.fixtures.TopicRegistry;
import com.omc.flywheel.local.iam.DeployedStack;
import com.omc.flywheel.local.lambda.FunctionPackages;
import com.omc.flywheel.local.moto.MotoServer.SnsMessage;
import com.omc.flywheel.local.proxy.AwsProxy;
import com.omc.flywheel.shared.AwsClients;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * topic-orchestrator and historical-rebuilder executed in moto, driven by their sample events: seed
 * 003's registry protocol (the rebuild lock, a topic the deployer PAUSED, last_updated_at), the
 * orchestrator's failed topics (its outcome and the TopicsFailed metric), a job's MaxConcurrentRuns,
 * and the DISTRIBUTED variant on an existing registry.
 */
class TopicStateMachinesTest {
    static final String REGISTRY = "omc-flywheel-dev-topic-registry";
    static final String STANDARDIZED = "etl-omc-flywheel-dev-topic-standardized";
    static final String CURATED = "etl-omc-flywheel-dev-topic-curated";
    static final String REBUILDER = "etl-omc-flywheel-dev-topic-history-rebuilder";
    private static final ObjectMapper JSON = new ObjectMapper();
    LocalCloud cloud;
    GlueClient glue;
    DynamoDbClient dynamo;

    @BeforeEach
    void world() {
        cloud = StateMachineHarness.fresh();
        glue = AwsClients.build(GlueClient.builder());
        for (String job : List.of(STANDARDIZED, CURATED, REBUILDER)) {
            StateMachineHarness.createJob(glue, job);
        }
        cloud.moto().glueJobRunsTakePolls(1);
        dynamo = AwsClients.build(DynamoDbClient.builder());
        TopicRegistry.create(dynamo, REGISTRY)
                .topic("topic_a", true, "ENABLED", Map.of())
                .topic("topic_b", true, "ENABLED", Map.of())
                .topic("topic_c", true, "ENABLED", Map.of())
                .topic("topic_paused", true, "PAUSED", Map.of())
                .topic("topic_retired", false, "ENABLED", Map.of());
        // Encrypted with the stack's TopicKey, as deployed: the rebuilder's notice needs the key too.
        String key = AwsClients.build(KmsClient.builder()).createKey(b -> b
                .tags(t -> t.tagKey("aws:cloudformation:logical-id").tagValue("TopicKey"))).keyMetadata().arn();
        AwsClients.build(SnsClient.builder()).createTopic(b -> b.name("omc-flywheel-dev-db-refresh-notifications")
                .attributes(Map.of("KmsMasterKeyId", key)));
    }

    private String attribute(String table, String topic, String name) {
        AttributeValue v = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("topic_name", AttributeValue.fromS(topic)))).item().get(name);
        return v == null ? null : v.s();
    }

    private String attribute(String topic, String name) {
        return attribute(REGISTRY, topic, name);
    }

    private Map<String, Integer> runsPerTopic(String job) {
        Map<String, Integer> out = new TreeMap<>();
        glue.getJobRuns(b -> b.jobName(job)).jobRuns().forEach(r ->
                out.merge(r.arguments().get("--topic_name"), 1, Integer::sum));
        return out;
    }

    /** The output of a state's task, as its TaskSucceeded event carries it (the function's raw answer). */
    private static List<JsonNode> taskOutputs(StateMachineHarness.Run run, String state) {
        List<JsonNode> out = new ArrayList<>();
        String current = null;
        for (HistoryEvent e : run.history()) {
            if (e.stateEnteredEventDetails() != null) {
                current = e.stateEnteredEventDetails().name();
            } else if (e.taskSucceededEventDetails() != null && state.equals(current)) {
                try {
                    out.add(JSON.readTree(e.taskSucceededEventDetails().output()));
                } catch (IOException x) {
                    throw new UncheckedIOException(x);
                }
            }
        }
        return out;
    }

    /** The functions' JSON log lines written while {@code body} runs (and still on standard error). */
    private static <T> T withFunctionLogs(List<JsonNode> lines, Supplier<T> body) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        PrintStream err = System.err;
        FunctionPackages.redirectLogs(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                buffer.write(b);
                err.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                buffer.write(b, off, len);
                err.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
        try {
            return body.get();
        } finally {
            FunctionPackages.redirectLogs(err);
            for (String l : buffer.toString(StandardCharsets.UTF_8).split("\n")) {
                if (l.startsWith("{")) {
                    try {
                        lines.add(JSON.readTree(l));
                    } catch (IOException e) {
                        // a line cut by a concurrent writer: not one of ours to read
                    }
                }
            }
        }
    }

    /** The EMF line the topics-failed alarm reads: OMC/Flywheel TopicsFailed by Environment. */
    private static JsonNode topicsFailedMetric(List<JsonNode> lines) {
        List<JsonNode> emf = lines.stream().filter(l -> l.has("_aws") && l.has("TopicsFailed")).toList();
        assertEquals(1, emf.size(), "one TopicsFailed line per run: " + emf);
        JsonNode directive = emf.get(0).get("_aws").get("CloudWatchMetrics").get(0);
        assertEquals("OMC/Flywheel", directive.get("Namespace").asText());
        assertEquals("[[\"Environment\"]]", directive.get("Dimensions").toString());
        assertEquals("fetch-active-topics", emf.get(0).get("function").asText());
        return emf.get(0);
    }

    @Test
    void oneTopicsFailureNeverStopsTheOtherTwoAndTheRunsOutcomeAndMetricNameIt() {
        cloud.proxy().addRewrite(AwsProxy.failGlueJobRuns(r -> r.path("JobName").asText().equals(STANDARDIZED)
                && r.path("Arguments").path("--topic_name").asText().equals("topic_b"), "schema drift in topic_b"));
        List<JsonNode> logs = new ArrayList<>();

        StateMachineHarness.Run run = withFunctionLogs(logs,
                () -> StateMachineHarness.execute("topic-orchestrator.asl.json",
                SampleEvents.read("topic-orchestrator.json"), Duration.ofMinutes(3)));

        assertEquals(ExecutionStatus.FAILED, run.execution().status(),
                "a run with a failed topic is a failed execution");
        assertEquals("TopicsFailed", run.execution().error());
        assertTrue(run.execution().cause().startsWith("1 of 3 topics failed: topic_b (GlueJobFailed: ")
                && run.execution().cause().contains("ended FAILED: schema drift in topic_b)."),
                        run.execution().cause());
        assertTrue(run.statesEntered().containsAll(List.of("RecordTopicRuns", "AnyTopicFailed?", "TopicsFailed")));
        assertEquals(Map.of("topic_a", 1, "topic_c", 1), runsPerTopic(CURATED),
                "only active, ENABLED topics; curated after standardized");
        assertEquals(3, runsPerTopic(STANDARDIZED).get("topic_b"), "the failed run and its two retries");
        assertEquals(1, topicsFailedMetric(logs).get("TopicsFailed").asInt());
        assertEquals(2, topicsFailedMetric(logs).get("TopicsSucceeded").asInt());
        assertTrue(attribute("topic_a", "last_updated_at") != null && attribute("topic_c", "last_updated_at") != null,
                "the topics that finished record when");
        assertNull(attribute("topic_b", "last_updated_at"), "a failed topic keeps its last update");
        // One message for the run (notify-failure, on the execution's end), naming the topic and why.
        List<SnsMessage> sent = cloud.moto().snsMessages();
        assertEquals(1, sent.size(), sent.toString());
        assertEquals("Topic orchestrator failed", sent.get(0).subject());
        assertTrue(sent.get(0).message().contains("1 of 3 topics failed: topic_b (GlueJobFailed: ")
                && sent.get(0).message().contains("schema drift in topic_b"), sent.get(0).message());
    }

    /**
     * The topic jobs at AWS's default MaxConcurrentRuns (1; SPEC gives them no other), three topics
     * at once: each topic beyond the limit gets WAITING_FOR_SLOT from start-glue-job and waits its
     * turn; one run each, none fails, and the waiting is no task failure (no Lambda error).
     */
    @Test
    void topicsBeyondTheirJobsMaxConcurrentRunsWaitForASlotAndNeverFail() throws Exception {
        var limit = glue.getJob(b -> b.jobName(STANDARDIZED)).job().executionProperty();
        assertNull(limit == null ? null : limit.maxConcurrentRuns(), "none set: AWS's default (1) applies");
        cloud.moto().glueJobRunsTakePolls(2);
        List<JsonNode> logs = new ArrayList<>();

        StateMachineHarness.Run run = withFunctionLogs(logs,
                () -> StateMachineHarness.execute("topic-orchestrator.asl.json",
                SampleEvents.read("topic-orchestrator.json"), Duration.ofMinutes(3)));

        assertEquals(ExecutionStatus.SUCCEEDED, run.execution().status(), run.execution().toString());
        assertEquals(Map.of("topic_a", 1, "topic_b", 1, "topic_c", 1), runsPerTopic(STANDARDIZED),
                "one run each, one at a time: MaxConcurrentRuns 1");
        assertEquals(Map.of("topic_a", 1, "topic_b", 1, "topic_c", 1), runsPerTopic(CURATED));
        long waits = 0;
        for (HistoryEvent e : run.history()) {
            if (e.taskSucceededEventDetails() != null && JSON.readTree(e.taskSucceededEventDetails().output())
                    .path("Payload").path("status").asText().equals("WAITING_FOR_SLOT")) {
                waits++;
            }
        }
        assertTrue(waits >= 2, "two topics found the job busy and waited: " + waits);
        assertEquals(List.of(), run.history().stream().filter(e -> e.taskFailedEventDetails() != null)
                .map(e -> e.taskFailedEventDetails().error()).toList(), "waiting for a slot is no task failure");
        assertEquals(0, topicsFailedMetric(logs).get("TopicsFailed").asInt());
        assertEquals(3, topicsFailedMetric(logs).get("TopicsSucceeded").asInt());
    }

    /**
     * Issue 21: the schedule starts a run every 15 minutes whether or not the last one ended. A second
     * run started while the first is polling its topics' jobs (the test holds the first's check-status
     * calls, so it is still going) ends at once, successfully, at AnotherRunIsGoing, naming the first:
     * it starts and polls nothing, writes no TopicsFailed line and sends no mail. The first then
     * finishes alone: one failure mail and one TopicsFailed line for the run, one run of each job.
     */
    @Test
    void aRunStartedWhileAnotherIsGoingEndsAtOnceHavingDoneNothing() throws Exception {
        cloud.proxy().addRewrite(AwsProxy.failGlueJobRuns(r -> r.path("JobName").asText().equals(STANDARDIZED)
                && r.path("Arguments").path("--topic_name").asText().equals("topic_b"), "schema drift in topic_b"));
        CountDownLatch polling = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AwsProxy.Rule holdPolls = call -> {
            if (!call.path().endsWith("/invocations") || !call.path().contains("check-status")) {
                return Optional.empty();
            }
            polling.countDown();
            try {
                if (!release.await(2, TimeUnit.MINUTES)) {
                    return Optional.of(AwsProxy.Reply.awsError(500, "ServiceException", "the test never released"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.of(AwsProxy.Reply.awsError(500, "ServiceException", "interrupted"));
            }
            return cloud.lambdas().apply(call);
        };
        cloud.proxy().addRuleFirst(holdPolls);
        List<JsonNode> logs = new ArrayList<>();
        String input = SampleEvents.read("topic-orchestrator.json");

        StateMachineHarness.Run[] runs = withFunctionLogs(logs, () -> {
            String first = StateMachineHarness.start("topic-orchestrator.asl.json", input);
            try {
                assertTrue(polling.await(1, TimeUnit.MINUTES), "the first run polls a topic's job");
                StateMachineHarness.Run second = StateMachineHarness.await(
                        StateMachineHarness.start("topic-orchestrator.asl.json", input), Duration.ofMinutes(1));
                assertEquals(ExecutionStatus.RUNNING, AwsClients.build(SfnClient.builder())
                        .describeExecution(b -> b.executionArn(first)).status(), "the first is still going");
                release.countDown();
                return new StateMachineHarness.Run[] {second, StateMachineHarness.await(first, Duration.ofMinutes(3))};
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                release.countDown();
                cloud.proxy().removeRule(holdPolls);
            }
        });
        StateMachineHarness.Run second = runs[0];
        StateMachineHarness.Run first = runs[1];

        assertEquals(ExecutionStatus.SUCCEEDED, second.execution().status(), second.execution().toString());
        assertEquals(List.of("OneRunAtATime", "AnotherRunGoing?", "AnotherRunIsGoing"), second.statesEntered());
        assertEquals(first.execution().executionArn(), second.output().path("admission").path("answer")
                .path("runningExecutionArn").asText(), "it names the run that goes on");
        assertEquals(ExecutionStatus.FAILED, first.execution().status());
        assertEquals("TopicsFailed", first.execution().error());
        assertEquals(Map.of("topic_a", 1, "topic_b", 3, "topic_c", 1), runsPerTopic(STANDARDIZED),
                "the first run's only: topic_b's failed run and its two retries");
        assertEquals(Map.of("topic_a", 1, "topic_c", 1), runsPerTopic(CURATED));
        assertEquals(1, topicsFailedMetric(logs).get("TopicsFailed").asInt(), "one TopicsFailed line, the first's");
        List<SnsMessage> sent = cloud.moto().snsMessages();
        assertEquals(1, sent.size(), "one mail, the first run's failure: " + sent);
        assertEquals(2, cloud.lambdas().invocations().get(StateMachineHarness.name("fetch-active-topics")),
                "FetchActiveTopics and RecordTopicRuns of the first run only");
    }

    /**
     * TopicMapMode=DISTRIBUTED with TopicRegistryTableName=PipelineRegistry (an existing registry):
     * the local IAM check authorizes with that deployment's policies. moto's engine runs the
     * Distributed Map's items in-process, not as child executions through the API, so its
     * StartExecution grant is not exercised here.
     */
    @Test
    void theDistributedVariantOnAnExistingRegistryCountsAndRecordsTheSameWay() {
        Map<String, String> params = new HashMap<>(DeployedStack.LOCAL_PARAMETERS);
        params.put("TopicMapMode", "DISTRIBUTED");
        params.put("TopicRegistryTableName", "PipelineRegistry");
        TopicRegistry.create(dynamo, "PipelineRegistry")
                .topic("topic_a", true, "ENABLED", Map.of())
                .item("topic_b", Map.of("is_active", AttributeValue.fromS("true"), "flow_control_flag",
                        AttributeValue.fromS("ENABLED")))
                .topic("topic_c", false, "ENABLED", Map.of());
        cloud.proxy().addRewrite(AwsProxy.failGlueJobRuns(r -> r.path("JobName").asText().equals(CURATED)
                && r.path("Arguments").path("--topic_name").asText().equals("topic_a"), "curated view out of date"));
        cloud.iam().useStack(DeployedStack.read(SampleEvents.repoRoot().resolve("template.yaml"), params));
        List<JsonNode> logs = new ArrayList<>();
        cloud.proxy().resetCounts();
        StateMachineHarness.Run run;
        try {
            run = withFunctionLogs(logs, () -> StateMachineHarness.await(StateMachineHarness.start(
                    "topic-orchestrator-distributed.asl.json", "omc-flywheel-dev-distributed-topic-orchestrator",
                    Map.of("RegistryTableName", "PipelineRegistry"), SampleEvents.read("topic-orchestrator.json")),
                    Duration.ofMinutes(3)));
        } finally {
            cloud.iam().useStack(DeployedStack.local(SampleEvents.repoRoot().resolve("template.yaml")));
        }

        assertTrue(run.history().stream().anyMatch(e -> e.typeAsString().equals("MapRunStarted")),
                "a Distributed Map ran");
        assertEquals(1, cloud.proxy().count("states:StartExecution"),
                "only this test's: moto runs the child executions "
                + "in-process, so their StartExecution (and its grant) is AWS's alone (docs/operating.md)");
        assertEquals(ExecutionStatus.FAILED, run.execution().status());
        assertEquals("TopicsFailed", run.execution().error());
        assertTrue(run.execution().cause().startsWith("1 of 2 topics failed: topic_a (GlueJobFailed: ")
                && run.execution().cause().contains("ended FAILED: curated view out of date)."),
                        run.execution().cause());
        assertEquals(Map.of("topic_a", 1, "topic_b", 1), runsPerTopic(STANDARDIZED),
                "topic_b: is_active \"true\" of an older writer");
        assertEquals(1, topicsFailedMetric(logs).get("TopicsFailed").asInt());
        assertTrue(attribute("PipelineRegistry", "topic_b", "last_updated_at") != null);
        assertNull(attribute("PipelineRegistry", "topic_a", "last_updated_at"));
        assertEquals(0, dynamo.scan(b -> b.tableName(REGISTRY).filterExpression("attribute_exists(last_updated_at)"))
                .count(),
                "the stack's own registry is not the one in use");
    }

    @Test
    void aRebuildOfAnEnabledTopicPausesItThenEnablesItWithLastUpdatedAtAndReleasesTheLock() {
        StateMachineHarness.Run run = StateMachineHarness.execute("historical-rebuilder.asl.json",
                SampleEvents.read("historical-rebuilder.json"), Duration.ofMinutes(2));

        assertEquals(ExecutionStatus.SUCCEEDED, run.execution().status(), run.execution().toString());
        JsonNode lock = taskOutputs(run, "PauseTopic").get(0).get("Payload");
        assertEquals("ENABLED", lock.get("previousFlag").asText(), "the rebuild paused it itself");
        assertEquals(run.execution().executionArn(), lock.get("rebuildLock").asText(), "the lock names the execution");
        assertEquals("ENABLED", attribute("topic_b", "flow_control_flag"));
        assertTrue(attribute("topic_b", "last_updated_at") != null);
        assertNull(attribute("topic_b", "rebuild_lock"), "released");
        assertNull(attribute("topic_b", "rebuild_started_at"));
        assertEquals(Map.of("topic_b", 1), runsPerTopic(REBUILDER));
        assertTrue(run.statesEntered().containsAll(List.of("PauseTopic", "RebuildHistory", "EnableTopic",
                "NotifyRebuilt")));
    }

    @Test
    void aTopicTheDeployerPausedIsRebuiltAndEnabled() {
        StateMachineHarness.Run run = StateMachineHarness.execute("historical-rebuilder.asl.json",
                SampleEvents.read("historical-rebuilder.json").replace("topic_b", "topic_paused"),
                        Duration.ofMinutes(2));

        assertEquals(ExecutionStatus.SUCCEEDED, run.execution().status(), run.execution().toString());
        assertEquals("PAUSED", taskOutputs(run, "PauseTopic").get(0).get("Payload").get("previousFlag").asText());
        assertEquals(Map.of("topic_paused", 1), runsPerTopic(REBUILDER));
        assertEquals("ENABLED", attribute("topic_paused", "flow_control_flag"));
        assertTrue(attribute("topic_paused", "last_updated_at") != null);
        assertNull(attribute("topic_paused", "rebuild_lock"));
    }

    @Test
    void twoRebuildsOfOneTopicNeverRunAtOnce() throws Exception {
        cloud.moto().glueJobRunsTakePolls(4);
        String input = SampleEvents.read("historical-rebuilder.json");
        String first = StateMachineHarness.start("historical-rebuilder.asl.json", input);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!first.equals(attribute("topic_b", "rebuild_lock")) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(first, attribute("topic_b", "rebuild_lock"), "the first rebuild holds the lock");

        StateMachineHarness.Run second = StateMachineHarness.await(
                StateMachineHarness.start("historical-rebuilder.asl.json", input),
                Duration.ofMinutes(1));
        StateMachineHarness.Run firstRun = StateMachineHarness.await(first, Duration.ofMinutes(2));

        assertEquals(ExecutionStatus.FAILED, second.execution().status());
        assertTrue(second.execution().error().endsWith("RebuildRefusedException"), second.execution().error());
        assertTrue(second.execution().cause().contains("topic_b is being rebuilt by execution " + first),
                second.execution().cause());
        assertEquals(List.of("ValidateInput", "PauseTopic"), second.statesEntered(),
                "refused at PauseTopic, right after its input was checked: nothing else ran");
        assertEquals(ExecutionStatus.SUCCEEDED, firstRun.execution().status(), firstRun.execution().toString());
        assertEquals(Map.of("topic_b", 1), runsPerTopic(REBUILDER), "one Glue run: the refused rebuild started none");
        assertEquals("ENABLED", attribute("topic_b", "flow_control_flag"));
        assertNull(attribute("topic_b", "rebuild_lock"));
        List<SnsMessage> sent = cloud.moto().snsMessages();
        assertTrue(sent.stream().anyMatch(m -> m.subject().equals("Topic rebuild not started")
                && m.message().contains("is being rebuilt by execution " + first)), sent.toString());
    }

    @Test
    void aFailedRebuildLeavesTheTopicPausedAndLockedUntilTheNextRebuildTakesTheStaleLockOver() {
        AtomicBoolean failing = new AtomicBoolean(true);
        cloud.proxy().addRewrite(AwsProxy.failGlueJobRuns(r -> failing.get()
                && r.path("JobName").asText().equals(REBUILDER),
                "out of memory"));

        StateMachineHarness.Run failed = StateMachineHarness.execute("historical-rebuilder.asl.json",
                SampleEvents.read("historical-rebuilder.json"), Duration.ofMinutes(2));

        assertEquals(ExecutionStatus.FAILED, failed.execution().status());
        assertEquals("PAUSED", attribute("topic_b", "flow_control_flag"));
        assertEquals(failed.execution().executionArn(), attribute("topic_b", "rebuild_lock"),
                "the lock stays, naming an execution that no longer runs");
        List<SnsMessage> sent = cloud.moto().snsMessages();
        assertEquals(1, sent.size());
        assertEquals("Topic rebuild failed: topic stays PAUSED", sent.get(0).subject());
        assertTrue(sent.get(0).message().contains("out of memory"), sent.get(0).message());

        failing.set(false);
        StateMachineHarness.Run next = StateMachineHarness.execute("historical-rebuilder.asl.json",
                SampleEvents.read("historical-rebuilder.json"), Duration.ofMinutes(2));

        assertEquals(ExecutionStatus.SUCCEEDED, next.execution().status(), next.execution().toString());
        assertEquals(failed.execution().executionArn(), taskOutputs(next, "PauseTopic").get(0).get("Payload")
                .get("tookOverFrom").asText());
        assertEquals("ENABLED", attribute("topic_b", "flow_control_flag"));
        assertNull(attribute("topic_b", "rebuild_lock"));
    }

    @Test
    void aTopicNeitherEnabledNorPausedIsNeverRebuilt() {
        dynamo.putItem(b -> b.tableName(REGISTRY).item(Map.of("topic_name", AttributeValue.fromS("topic_disabled"),
                "is_active", AttributeValue.fromBool(true), "flow_control_flag", AttributeValue.fromS("DISABLED"))));

        StateMachineHarness.Run run = StateMachineHarness.execute("historical-rebuilder.asl.json",
                SampleEvents.read("historical-rebuilder.json").replace("topic_b", "topic_disabled"),
                        Duration.ofMinutes(2));

        assertEquals(ExecutionStatus.FAILED, run.execution().status());
        assertTrue(run.execution().cause().contains("flow_control_flag 'DISABLED'"), run.execution().cause());
        assertEquals(Map.of(), runsPerTopic(REBUILDER));
        assertEquals("DISABLED", attribute("topic_disabled", "flow_control_flag"));
        assertFalse(dynamo.getItem(b -> b.tableName(REGISTRY)
                .key(Map.of("topic_name", AttributeValue.fromS("topic_disabled"))))
                .item().containsKey("rebuild_lock"));
        assertEquals("Topic rebuild not started", cloud.moto().snsMessages().get(0).subject());
    }
}
