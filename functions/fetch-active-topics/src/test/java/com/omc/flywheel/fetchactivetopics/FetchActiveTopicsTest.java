package com.omc.flywheel.fetchactivetopics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.omc.flywheel.local.MotoServer;
import com.omc.flywheel.local.SampleEvents;
import com.omc.flywheel.local.TopicRegistry;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.errors.InvalidInputException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** fetch-active-topics against moto's DynamoDB, with more items than one scan page holds. */
class FetchActiveTopicsTest {
    static final MotoServer MOTO = MotoServer.shared();
    static final DynamoDbClient DYNAMO = AwsClients.build(DynamoDbClient.builder());
    static final String TABLE = "omc-flywheel-dev-topic-registry";

    @TestFactory
    List<DynamicTest> everySampleEvent() {
        List<String> files = SampleEvents.forFunction("fetch-active-topics");
        assertTrue(files.size() >= 2, files.toString());
        return files.stream().map(f -> DynamicTest.dynamicTest(f, () -> run(f))).toList();
    }

    private void run(String file) {
        String body = SampleEvents.read(file);
        if (file.contains("-invalid-")) {
            DynamoDbClient nowhere = AwsClients.build(DynamoDbClient.builder().endpointOverride(URI.create("http://127.0.0.1:9")));
            assertThrows(InvalidInputException.class, () -> SampleEvents.invoke(new FetchActiveTopicsHandler(nowhere, TABLE),
                    "fetch-active-topics", body));
            return;
        }
        if (!file.equals("fetch-active-topics.json")) {
            fail("events/" + file + " has no expected outcome in this test: add one");
        }
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
            registry.topic(String.format("topic_%04d", i), active, flag, Map.of("padding", AttributeValue.fromS(padding)));
        }
        String out = SampleEvents.invoke(new FetchActiveTopicsHandler(), "fetch-active-topics", body);
        assertTrue(out.contains("\"count\":" + expected), out.substring(Math.max(0, out.length() - 200)));
        assertTrue(out.startsWith("{\"topics\":[\"topic_0001\",\"topic_0002\",\"topic_0004\""), out.substring(0, 80));
        assertEquals(640, expected, "1200 topics, a fifth inactive, a third of the rest paused");
    }
}
