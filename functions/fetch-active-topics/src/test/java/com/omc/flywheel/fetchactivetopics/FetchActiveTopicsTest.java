package com.omc.flywheel.fetchactivetopics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.fixtures.TopicRegistry;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.Events;
import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.errors.InvalidInputException;
import com.omc.flywheel.shared.errors.RebuildRefusedException;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sfn.SfnClient;

/**
 * fetch-active-topics against moto's DynamoDB (and Step Functions, for the rebuild lock's holder):
 * every sample event, more items than one scan page holds, every shape of {@code is_active}, the
 * run record with its EMF metric, and the rebuild lock of seed 003's protocol.
 */
class FetchActiveTopicsTest {
    static final MotoServer MOTO = MotoServer.shared();
    static final DynamoDbClient DYNAMO = AwsClients.build(DynamoDbClient.builder());
    static final SfnClient SFN = AwsClients.build(SfnClient.builder());
    static final String TABLE = "omc-flywheel-dev-topic-registry";
    static final String REBUILDER = "arn:aws:states:us-east-1:123456789012:execution:omc-flywheel-dev-historical-"
            + "rebuilder:";

    @TestFactory
    List<DynamicTest> everySampleEvent() {
        List<String> files = SampleEvents.forFunction("fetch-active-topics");
        assertTrue(files.size() >= 4, files.toString());
        return files.stream().map(f -> DynamicTest.dynamicTest(f, () -> run(f))).toList();
    }

    private void run(String file) throws Exception {
        String body = SampleEvents.read(file);
        if (file.contains("-invalid-")) {
            DynamoDbClient nowhere = AwsClients.build(DynamoDbClient.builder()
                    .endpointOverride(URI.create("http://127.0.0.1:9")));
            assertThrows(InvalidInputException.class, () ->
                    SampleEvents.invoke(new FetchActiveTopicsHandler(nowhere, TABLE),
                    "fetch-active-topics", body));
            return;
        }
        switch (file) {
            case "fetch-active-topics.json" -> fetchesEveryPage(body);
            case "fetch-active-topics-record-run.json" -> recordsARun(body);
            case "fetch-active-topics-take-rebuild-lock.json" -> takesTheRebuildLock(body);
            default -> fail("events/" + file + " has no expected outcome in this test: add one");
        }
    }

    private void fetchesEveryPage(String body) {
        MOTO.reset();
        TopicRegistry registry = TopicRegistry.create(DYNAMO, TABLE);
        int expected = 0;
        String padding = "p".repeat(1000);
        for (int i = 0; i < 1200; i++) {
            String flag = i % 3 == 0 ? "PAUSED" : "ENABLED";
            boolean active = i % 5 != 0;
            if (active && flag.equals("ENABLED")) {
                expected++;
            }
            registry.topic(String.format("topic_%04d", i), active, flag,
                    Map.of("padding", AttributeValue.fromS(padding)));
        }
        String out = SampleEvents.invoke(new FetchActiveTopicsHandler(), "fetch-active-topics", body);
        assertTrue(out.contains("\"count\":" + expected), out.substring(Math.max(0, out.length() - 200)));
        assertTrue(out.startsWith("{\"topics\":[\"topic_0001\",\"topic_0002\",\"topic_0004\""), out.substring(0, 80));
        assertEquals(640, expected, "1200 topics, a fifth inactive, a third of the rest paused");
    }

    /** The orchestrator's last step: one topic failed, one finished, one finished but left the registry meanwhile. */
    private void recordsARun(String body) throws Exception {
        MOTO.reset();
        TopicRegistry.create(DYNAMO, TABLE).topic("topic_a", true, "ENABLED", Map.of())
                .topic("topic_b", true, "ENABLED", Map.of());
        Logged logged = logged(() -> SampleEvents.invoke(new FetchActiveTopicsHandler(), "fetch-active-topics", body));
        JsonNode out = Events.mapper().readTree(logged.result());

        assertEquals(2, out.get("topicsSucceeded").asInt());
        assertEquals(1, out.get("topicsFailed").asInt());
        assertEquals("topic_b", out.get("failedTopics").get(0).get("topic").asText());
        assertEquals("GlueJobFailed", out.get("failedTopics").get(0).get("error").asText());
        assertEquals(List.of("topic_c"), List.of(out.get("notInRegistry").get(0).asText()),
                "topic_c left the registry");
        assertEquals(1, out.get("lastUpdatedWritten").asInt());
        assertTrue(out.get("summary").asText().startsWith("1 of 3 topics failed: topic_b (GlueJobFailed: schema drift "
                + "in topic_b)"),
                out.get("summary").asText());
        assertEquals("2026-12-01T02:15:07.123Z", attribute("topic_a", "last_updated_at"), "when topic_a finished");
        assertEquals(null, attribute("topic_b", "last_updated_at"), "a failed topic keeps its last update");
        assertFalse(DYNAMO.getItem(b -> b.tableName(TABLE).key(Map.of("topic_name", AttributeValue.fromS("topic_c"))))
                .hasItem(),
                "the conditional write never puts a deleted topic back");
        // What the topics-failed alarm reads: OMC/Flywheel TopicsFailed by Environment (template.yaml
        // TopicsFailedAlarm).
        JsonNode emf = logged.emf("TopicsFailed");
        assertEquals(1, emf.get("TopicsFailed").asInt());
        assertEquals(2, emf.get("TopicsSucceeded").asInt());
        JsonNode directive = emf.get("_aws").get("CloudWatchMetrics").get(0);
        assertEquals("OMC/Flywheel", directive.get("Namespace").asText());
        assertEquals("[[\"Environment\"]]", directive.get("Dimensions").toString());
        assertTrue(emf.has("Environment"));
    }

    /** The rebuilder's first step on an ENABLED topic, then again as the same execution (a retry or a redrive). */
    private void takesTheRebuildLock(String body) throws Exception {
        MOTO.reset();
        TopicRegistry.create(DYNAMO, TABLE).topic("topic_b", true, "ENABLED", Map.of());
        JsonNode out = Events.mapper().readTree(SampleEvents.invoke(new FetchActiveTopicsHandler(),
                "fetch-active-topics", body));
        String arn = REBUILDER + "rebuild-topic_b-2026-12-01";

        assertEquals("ENABLED", out.get("previousFlag").asText());
        assertEquals(arn, out.get("rebuildLock").asText());
        assertEquals("PAUSED", attribute("topic_b", "flow_control_flag"), "the rebuild pauses an ENABLED topic itself");
        assertEquals(arn, attribute("topic_b", "rebuild_lock"));
        assertTrue(attribute("topic_b", "rebuild_started_at")
                .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z"));
        JsonNode again = Events.mapper().readTree(SampleEvents.invoke(new FetchActiveTopicsHandler(),
                "fetch-active-topics", body));
        assertEquals("PAUSED", again.get("previousFlag").asText(), "the same execution holds its lock already");
        assertFalse(again.has("tookOverFrom"));
    }

    @Test
    void isActiveIsABoolOrTheStringTrueOfOlderWritersAndAnythingElseIsLoggedAsNotActive() throws Exception {
        MOTO.reset();
        TopicRegistry registry = TopicRegistry.create(DYNAMO, TABLE);
        Map<String, AttributeValue> enabled = Map.of("flow_control_flag", AttributeValue.fromS("ENABLED"));
        Map<String, AttributeValue> values = new java.util.LinkedHashMap<>();
        values.put("bool_true", AttributeValue.fromBool(true));
        values.put("string_true", AttributeValue.fromS("true"));
        values.put("string_True", AttributeValue.fromS("True"));
        values.put("bool_false", AttributeValue.fromBool(false));
        values.put("string_false", AttributeValue.fromS("false"));
        values.put("string_yes", AttributeValue.fromS("yes"));
        values.put("number_1", AttributeValue.fromN("1"));
        values.forEach((name, v) -> {
            Map<String, AttributeValue> item = new java.util.HashMap<>(enabled);
            item.put("is_active", v);
            registry.item(name, item);
        });
        registry.item("no_is_active", enabled);
        registry.item("paused_string_true", Map.of("flow_control_flag", AttributeValue.fromS("PAUSED"),
                "is_active", AttributeValue.fromS("true")));

        Logged logged = logged(() -> SampleEvents.invoke(new FetchActiveTopicsHandler(), "fetch-active-topics",
                SampleEvents.read("fetch-active-topics.json")));

        assertEquals("{\"topics\":[\"bool_true\",\"string_True\",\"string_true\"],\"count\":3}", logged.result());
        JsonNode warn = logged.line("ENABLED topics left out: is_active is neither a BOOL nor the string true/false");
        assertEquals("WARN", warn.get("level").asText());
        assertEquals(3, warn.get("topics").asInt(), "string 'yes', number 1 and no attribute: " + warn);
        assertTrue(warn.get("sample").toString().contains("number_1 is_active=N:1"), warn.toString());
        assertTrue(warn.get("sample").toString().contains("no_is_active is_active=(missing)"), warn.toString());
        assertEquals(2, logged.line("is_active read from the string \"true\" of older writers").get("topics").asInt());
    }

    @Test
    void theRebuildLockFollowsSeed003() throws Exception {
        MOTO.reset();
        TopicRegistry.create(DYNAMO, TABLE)
                .topic("paused_by_deployer", true, "PAUSED", Map.of())
                .topic("disabled", true, "DISABLED", Map.of())
                .topic("stale", true, "PAUSED", Map.of("rebuild_lock",
                        AttributeValue.fromS(REBUILDER + "failed-long-ago")))
                .topic("foreign", true, "PAUSED", Map.of("rebuild_lock", AttributeValue.fromS("maintenance by ops")));
        // A rebuild still running: moto keeps an execution it does not run RUNNING.
        String machine = SFN.createStateMachine(b -> b.name("omc-flywheel-dev-historical-rebuilder")
                .definition("{\"StartAt\":\"W\",\"States\":{\"W\":{\"Type\":\"Wait\",\"Seconds\":600,\"End\":true}}}")
                .roleArn("arn:aws:iam::123456789012:role/states")).stateMachineArn();
        String running = SFN.startExecution(b -> b.stateMachineArn(machine).name("running-rebuild")).executionArn();
        DYNAMO.updateItem(b -> b.tableName(TABLE).key(Map.of("topic_name", AttributeValue.fromS("paused_by_deployer")))
                .updateExpression("SET rebuild_lock = :r").expressionAttributeValues(
                        Map.of(":r", AttributeValue.fromS(running))));

        RebuildRefusedException busy = assertThrows(RebuildRefusedException.class,
                () -> take("paused_by_deployer", "second"));
        assertTrue(busy.getMessage().contains("is being rebuilt by execution " + running), busy.getMessage());
        assertEquals(running, attribute("paused_by_deployer", "rebuild_lock"), "the running rebuild keeps its lock");

        SFN.stopExecution(b -> b.executionArn(running));
        JsonNode paused = take("paused_by_deployer", "deployers-rebuild");
        assertEquals("PAUSED", paused.get("previousFlag").asText(), "a topic the deployer paused is rebuilt");
        assertEquals(running, paused.get("tookOverFrom").asText(),
                "the holder was stopped (ABORTED): its lock is stale");
        assertEquals(REBUILDER + "deployers-rebuild", attribute("paused_by_deployer", "rebuild_lock"));

        JsonNode stale = take("stale", "next-rebuild");
        assertEquals(REBUILDER + "failed-long-ago", stale.get("tookOverFrom").asText(),
                "gone from Step Functions: stale");
        assertEquals(REBUILDER + "next-rebuild", attribute("stale", "rebuild_lock"));

        RebuildRefusedException foreign = assertThrows(RebuildRefusedException.class, () -> take("foreign", "x"));
        assertTrue(foreign.getMessage().contains("'maintenance by ops'")
                && foreign.getMessage().contains("REMOVE rebuild_lock"),
                foreign.getMessage());
        RebuildRefusedException disabled = assertThrows(RebuildRefusedException.class, () -> take("disabled", "x"));
        assertTrue(disabled.getMessage().contains("flow_control_flag 'DISABLED'"), disabled.getMessage());
        assertEquals("DISABLED", attribute("disabled", "flow_control_flag"));
        ResourceNotFoundException missing = assertThrows(ResourceNotFoundException.class,
                () -> take("no_such_topic", "x"));
        assertTrue(missing.getMessage().contains("no_such_topic is not in the registry table " + TABLE),
                missing.getMessage());
        assertFalse(DYNAMO.getItem(b -> b.tableName(TABLE).key(
                Map.of("topic_name", AttributeValue.fromS("no_such_topic")))).hasItem());
    }

    private JsonNode take(String topic, String execution) throws Exception {
        String event = "{\"mode\": \"TAKE_REBUILD_LOCK\", \"topic\": \"" + topic + "\", \"executionArn\": \""
                + REBUILDER + execution + "\"}";
        return Events.mapper().readTree(SampleEvents.invoke(new FetchActiveTopicsHandler(DYNAMO, TABLE),
                "fetch-active-topics", event));
    }

    private static String attribute(String topic, String name) {
        AttributeValue v = DYNAMO.getItem(b -> b.tableName(TABLE).consistentRead(true)
                .key(Map.of("topic_name", AttributeValue.fromS(topic)))).item().get(name);
        return v == null ? null : v.s();
    }

    /** A result and the JSON log lines written while it was made. */
    record Logged(String result, List<JsonNode> lines) {
        JsonNode line(String message) {
            return lines.stream().filter(l -> l.path("message").asText().equals(message)).findFirst()
                    .orElseThrow(() -> new AssertionError("no log line '" + message + "' in " + lines));
        }

        /** The embedded metric format line that carries {@code metric}. */
        JsonNode emf(String metric) {
            return lines.stream().filter(l -> l.has("_aws") && l.has(metric)).findFirst()
                    .orElseThrow(() -> new AssertionError("no EMF line with " + metric + " in " + lines));
        }
    }

    private static Logged logged(Supplier<String> call) throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        JsonLog.redirect(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String result;
        try {
            result = call.get();
        } finally {
            JsonLog.redirect(System.err);
        }
        List<JsonNode> lines = new ArrayList<>();
        for (String l : buffer.toString(StandardCharsets.UTF_8).split("\n")) {
            if (!l.isBlank()) {
                lines.add(Events.mapper().readTree(l));
            }
        }
        return new Logged(result, lines);
    }
}
