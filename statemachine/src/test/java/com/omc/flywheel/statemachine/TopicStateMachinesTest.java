package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.local.AwsProxy;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.MotoServer.SnsMessage;
import com.omc.flywheel.local.SampleEvents;
import com.omc.flywheel.local.TopicRegistry;
import com.omc.flywheel.shared.AwsClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sns.SnsClient;

/** topic-orchestrator and historical-rebuilder executed in moto, driven by their sample events. */
class TopicStateMachinesTest {
    static final String REGISTRY = "omc-flywheel-dev-topic-registry";
    static final String STANDARDIZED = "etl-omc-flywheel-dev-topic-standardized";
    static final String CURATED = "etl-omc-flywheel-dev-topic-curated";
    static final String REBUILDER = "etl-omc-flywheel-dev-topic-history-rebuilder";
    LocalCloud cloud;
    GlueClient glue;
    DynamoDbClient dynamo;

    @BeforeEach
    void world() {
        cloud = StateMachineHarness.fresh();
        glue = AwsClients.build(GlueClient.builder());
        for (String job : List.of(STANDARDIZED, CURATED, REBUILDER)) {
            StateMachineHarness.createJob(glue, job, 10);
        }
        cloud.moto().glueJobRunsTakePolls(1);
        dynamo = AwsClients.build(DynamoDbClient.builder());
        TopicRegistry.create(dynamo, REGISTRY)
                .topic("topic_a", true, "ENABLED", Map.of())
                .topic("topic_b", true, "ENABLED", Map.of())
                .topic("topic_c", true, "ENABLED", Map.of())
                .topic("topic_paused", true, "PAUSED", Map.of())
                .topic("topic_retired", false, "ENABLED", Map.of());
        AwsClients.build(SnsClient.builder()).createTopic(b -> b.name("omc-flywheel-dev-db-refresh-notifications"));
    }

    private String flag(String topic) {
        return dynamo.getItem(b -> b.tableName(REGISTRY).key(Map.of("topic_name", AttributeValue.fromS(topic))))
                .item().get("flow_control_flag").s();
    }

    private Map<String, Integer> runsPerTopic(String job) {
        Map<String, Integer> out = new TreeMap<>();
        glue.getJobRuns(b -> b.jobName(job)).jobRuns().forEach(r -> out.merge(r.arguments().get("--topic_name"), 1, Integer::sum));
        return out;
    }

    @Test
    void oneTopicsFailureNeverStopsTheOtherTwo() {
        cloud.proxy().addRewrite(AwsProxy.failGlueJobRuns(r -> r.path("JobName").asText().equals(STANDARDIZED)
                && r.path("Arguments").path("--topic_name").asText().equals("topic_b"), "schema drift in topic_b"));

        StateMachineHarness.Run run = StateMachineHarness.execute("topic-orchestrator.asl.json",
                SampleEvents.read("topic-orchestrator.json"), Duration.ofMinutes(3));

        assertEquals(ExecutionStatus.SUCCEEDED, run.execution().status(), run.execution().toString());
        Map<String, String> outcome = new TreeMap<>();
        for (JsonNode t : run.output().get("topics")) {
            outcome.put(t.get("topic").asText(), t.get("status").asText());
        }
        assertEquals(Map.of("topic_a", "SUCCEEDED", "topic_b", "FAILED", "topic_c", "SUCCEEDED"), outcome,
                "only active, ENABLED topics; b failed and was caught in its branch");
        assertEquals(Map.of("topic_a", 1, "topic_c", 1), runsPerTopic(CURATED), "curated only after standardized");
        assertEquals(3, runsPerTopic(STANDARDIZED).get("topic_b"), "the failed run and its two retries");
        List<SnsMessage> sent = cloud.moto().snsMessages();
        assertEquals(1, sent.size());
        assertTrue(sent.get(0).message().contains("Topic topic_b failed") && sent.get(0).message().contains("schema drift"),
                sent.get(0).message());
    }

    @Test
    void aRebuildLeavesTheTopicEnabled() {
        StateMachineHarness.Run run = StateMachineHarness.execute("historical-rebuilder.asl.json",
                SampleEvents.read("historical-rebuilder.json"), Duration.ofMinutes(2));

        assertEquals(ExecutionStatus.SUCCEEDED, run.execution().status(), run.execution().toString());
        assertEquals("ENABLED", flag("topic_b"));
        assertEquals(Map.of("topic_b", 1), runsPerTopic(REBUILDER));
        assertTrue(run.statesEntered().containsAll(List.of("PauseTopic", "RebuildHistory", "EnableTopic", "NotifyRebuilt")));
    }

    @Test
    void aFailedRebuildLeavesTheTopicPausedAndSaysSo() {
        cloud.proxy().addRewrite(AwsProxy.failGlueJob(REBUILDER, "out of memory"));

        StateMachineHarness.Run run = StateMachineHarness.execute("historical-rebuilder.asl.json",
                SampleEvents.read("historical-rebuilder.json"), Duration.ofMinutes(2));

        assertEquals(ExecutionStatus.FAILED, run.execution().status());
        assertEquals("PAUSED", flag("topic_b"));
        List<SnsMessage> sent = cloud.moto().snsMessages();
        assertEquals(1, sent.size());
        assertEquals("Topic rebuild failed: topic stays PAUSED", sent.get(0).subject());
        assertTrue(sent.get(0).message().contains("out of memory"), sent.get(0).message());
    }

    @Test
    void aTopicThatIsNotEnabledIsNeverRebuilt() {
        StateMachineHarness.Run run = StateMachineHarness.execute("historical-rebuilder.asl.json",
                SampleEvents.read("historical-rebuilder.json").replace("topic_b", "topic_paused"), Duration.ofMinutes(2));

        assertEquals(ExecutionStatus.FAILED, run.execution().status());
        assertEquals(Map.of(), runsPerTopic(REBUILDER));
        assertEquals("PAUSED", flag("topic_paused"));
        assertEquals("Topic rebuild not started", cloud.moto().snsMessages().get(0).subject());
    }
}
