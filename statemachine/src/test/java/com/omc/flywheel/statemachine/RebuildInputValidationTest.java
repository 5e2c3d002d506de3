package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.LocalCloud;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.fixtures.TopicRegistry;
import com.omc.flywheel.local.moto.MotoServer.SnsMessage;
import com.omc.flywheel.shared.AwsClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * historical-rebuilder checks its whole hand-written input at its first step, ValidateInput, before
 * anything changes: each missing or bad field fails the execution there with InvalidInputException
 * naming the field; the topic's registry item is as it was (not PAUSED, no lock), no function was
 * invoked and no Glue job started, and the notice says the rebuild was not started. Before this check,
 * an input without snsTopicArn failed after EnableTopic, and one without limits.maxPolls failed with
 * States.Runtime after the job had started, leaving the topic PAUSED and locked.
 */
class RebuildInputValidationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REGISTRY = TopicStateMachinesTest.REGISTRY;
    private static final String REBUILDER = TopicStateMachinesTest.REBUILDER;
    private static final String NOTIFICATIONS = DbRefreshStateMachineTest.NOTIFICATIONS;
    LocalCloud cloud;
    DynamoDbClient dynamo;
    GlueClient glue;

    /** A bad input: what is done to the sample event, the Fail state it ends in, the field named. */
    record Case(String name, Consumer<ObjectNode> edit, String failState, String field) {
    }

    static final List<Case> CASES = List.of(
            new Case("no topic", in -> in.remove("topic"), "InvalidTopic", "topic"),
            new Case("a blank topic", in -> in.put("topic", ""), "InvalidTopic", "topic"),
            new Case("a topic that is not a string", in -> in.put("topic", 7), "InvalidTopic", "topic"),
            new Case("no snsTopicArn", in -> in.remove("snsTopicArn"), "InvalidSnsTopicArn", "snsTopicArn"),
            new Case("an snsTopicArn that is a name, not an ARN",
                    in -> in.put("snsTopicArn", "omc-flywheel-dev-db-refresh-notifications"), "InvalidSnsTopicArn",
                    "snsTopicArn"),
            new Case("no jobs", in -> in.remove("jobs"), "InvalidRebuilderJob", "jobs.rebuilder.jobName"),
            new Case("no jobs.rebuilder.jobName",
                    in -> ((ObjectNode) in.get("jobs").get("rebuilder")).remove("jobName"),
                    "InvalidRebuilderJob", "jobs.rebuilder.jobName"),
            new Case("a blank job name", in -> ((ObjectNode) in.get("jobs").get("rebuilder")).put("jobName", ""),
                    "InvalidRebuilderJob", "jobs.rebuilder.jobName"),
            new Case("no limits", in -> in.remove("limits"), "InvalidMaxPolls", "limits.maxPolls"),
            new Case("no limits.maxPolls", in -> ((ObjectNode) in.get("limits")).remove("maxPolls"),
                    "InvalidMaxPolls", "limits.maxPolls"),
            new Case("limits.maxPolls as a string", in -> ((ObjectNode) in.get("limits")).put("maxPolls", "200"),
                    "InvalidMaxPolls", "limits.maxPolls"),
            new Case("limits.maxPolls 0", in -> ((ObjectNode) in.get("limits")).put("maxPolls", 0),
                    "InvalidMaxPolls", "limits.maxPolls"),
            new Case("limits.maxRunSeconds as a string",
                    in -> ((ObjectNode) in.get("limits")).put("maxRunSeconds", "6h"), "InvalidMaxRunSeconds",
                    "limits.maxRunSeconds"),
            new Case("limits.maxRunSeconds negative", in -> ((ObjectNode) in.get("limits")).put("maxRunSeconds", -1),
                    "InvalidMaxRunSeconds", "limits.maxRunSeconds"),
            new Case("limits.maxSlotWaitSeconds as a string",
                    in -> ((ObjectNode) in.get("limits")).put("maxSlotWaitSeconds", "soon"),
                    "InvalidMaxSlotWaitSeconds", "limits.maxSlotWaitSeconds"),
            new Case("an environment that is not a string", in -> in.put("environment", 3), "InvalidEnvironment",
                    "environment"));

    /**
     * notify-failure as template.yaml configures it: NOTIFICATION_TOPIC_ARN set, so a notice never depends
     * on the input's snsTopicArn (which is one of the bad fields here). Read at init: a cold start.
     */
    @BeforeEach
    void notifyFailureAsDeployed() {
        System.setProperty("NOTIFICATION_TOPIC_ARN", NOTIFICATIONS);
        StateMachineHarness.cloud().lambdas().coldStart();
    }

    @AfterEach
    void notifyFailureAsTheOtherTestsHaveIt() {
        System.clearProperty("NOTIFICATION_TOPIC_ARN");
        StateMachineHarness.cloud().lambdas().coldStart();
    }

    /** Each case on a fresh cloud: the rebuilder job, topic_b ENABLED, the notifications topic. */
    void world() {
        cloud = StateMachineHarness.fresh();
        glue = AwsClients.build(GlueClient.builder());
        StateMachineHarness.createJob(glue, REBUILDER);
        dynamo = AwsClients.build(DynamoDbClient.builder());
        TopicRegistry.create(dynamo, REGISTRY).topic("topic_b", true, "ENABLED", Map.of());
        AwsClients.build(SnsClient.builder()).createTopic(b -> b.name("omc-flywheel-dev-db-refresh-notifications"));
    }

    @TestFactory
    List<DynamicTest> eachBadFieldFailsAtValidateInputAndNothingChanges() {
        return CASES.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> {
            world();
            check(c);
        })).toList();
    }

    private Map<String, AttributeValue> registryItem() {
        return dynamo.getItem(b -> b.tableName(REGISTRY).consistentRead(true)
                .key(Map.of("topic_name", AttributeValue.fromS("topic_b")))).item();
    }

    private void check(Case c) {
        ObjectNode input;
        try {
            input = (ObjectNode) JSON.readTree(SampleEvents.read("historical-rebuilder.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        c.edit().accept(input);
        Map<String, AttributeValue> before = registryItem();
        cloud.proxy().resetCounts();

        StateMachineHarness.Run run = StateMachineHarness.execute("historical-rebuilder.asl.json", input.toString(),
                Duration.ofMinutes(1));
        Map<String, Integer> calls = cloud.proxy().counts();

        assertEquals(ExecutionStatus.FAILED, run.execution().status(), c.name());
        assertEquals("InvalidInputException", run.execution().error());
        assertTrue(run.execution().cause().startsWith("field '" + c.field() + "': ")
                && run.execution().cause().contains("the topic was not paused and no Glue job was started"),
                run.execution().cause());
        assertEquals(List.of("ValidateInput", c.failState()), run.statesEntered(), "failed at the first step");
        assertEquals(before, registryItem(), "the registry item is unchanged: " + registryItem());
        assertEquals("ENABLED", registryItem().get("flow_control_flag").s());
        assertFalse(registryItem().containsKey("rebuild_lock"));
        assertEquals(List.of(), glue.getJobRuns(b -> b.jobName(REBUILDER)).jobRuns(), "no Glue run");
        assertEquals(List.of(), calls.keySet().stream().filter(k -> k.startsWith("dynamodb:") || k.startsWith("glue:")
                || k.startsWith("lambda:") && !k.contains("notify-failure")).toList(),
                "no function invoked by the state machine, no registry or Glue call: " + calls);
        List<SnsMessage> sent = cloud.moto().snsMessages();
        assertEquals(1, sent.size(), "notify-failure's notice alone (NotifyRebuilt never ran): " + sent);
        assertEquals(NOTIFICATIONS, sent.get(0).topicArn());
        assertEquals("Topic rebuild not started", sent.get(0).subject());
        assertTrue(sent.get(0).message().contains("Nothing was changed")
                && sent.get(0).message().contains("field '" + c.field() + "'")
                && !sent.get(0).message().contains("stays PAUSED"), sent.get(0).message());
    }
}
