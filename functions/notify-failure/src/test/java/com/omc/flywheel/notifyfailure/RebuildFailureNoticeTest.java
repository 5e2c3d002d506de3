package com.omc.flywheel.notifyfailure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.shared.AwsClients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.DescribeExecutionResponse;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sns.SnsClient;

/**
 * The notice of a failed historical rebuild says where the topic was left: "not started" (nothing
 * changed) when the rebuild failed before it paused the topic, "stays PAUSED" only once it did. The
 * executions run in moto's Step Functions engine: the real definition for a bad input (it fails at
 * ValidateInput, before any task), stand-ins of PauseTopic's outcomes for the others. Also the Cause
 * as the mail shows it: a Lambda error's message, not its JSON, and never more than MAX_CAUSE_CHARS.
 */
class RebuildFailureNoticeTest {
    static final MotoServer MOTO = MotoServer.shared();
    static final String TOPIC = "arn:aws:sns:us-east-1:123456789012:omc-flywheel-dev-db-refresh-notifications";
    static final String MACHINE = "omc-flywheel-dev-historical-rebuilder";
    static final String LOCK_STAND_IN = "arn:aws:sns:us-east-1:123456789012:pause-topic-stand-in";
    SfnClient sfn;

    @BeforeEach
    void moto() {
        MOTO.reset();
        MOTO.post("/moto-api/config", "{\"stepfunctions\":{\"execute_state_machine\":true}}");
        AwsClients.build(SnsClient.builder()).createTopic(b -> b.name("omc-flywheel-dev-db-refresh-notifications"));
        AwsClients.build(SnsClient.builder()).createTopic(b -> b.name("pause-topic-stand-in"));
        sfn = AwsClients.build(SfnClient.builder());
    }

    /** statemachine/historical-rebuilder.asl.json, its ${...} as template.yaml fills them. */
    private static String realDefinition() {
        try {
            return Files.readString(SampleEvents.repoRoot().resolve("statemachine/historical-rebuilder.asl.json"))
                    .replaceAll("\\$\\{([A-Za-z]+)FunctionArn}", "arn:aws:lambda:us-east-1:123456789012:function:$1")
                    .replace("${RegistryTableName}", "omc-flywheel-dev-topic-registry");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A rebuilder whose PauseTopic ends as {@code pauseTopic} does, then fails at RebuildHistory. */
    private static String standIn(String pauseTopic) {
        return """
                {"StartAt": "PauseTopic", "States": {
                  "PauseTopic": %s,
                  "RebuildHistory": {"Type": "Fail", "Error": "GlueJobFailed", "Cause": "out of memory"}}}
                """.formatted(pauseTopic);
    }

    /** Runs {@code definition} as the rebuilder with {@code input} to its end, and notifies it. */
    private FailureNotifier.Result failedAndNotified(String definition, String input) {
        String machine = sfn.createStateMachine(b -> b.name(MACHINE).definition(definition)
                .roleArn("arn:aws:iam::123456789012:role/states")).stateMachineArn();
        String execution = sfn.startExecution(b -> b.stateMachineArn(machine).name("rebuild-topic-b").input(input))
                .executionArn();
        DescribeExecutionResponse d = sfn.describeExecution(b -> b.executionArn(execution));
        for (int i = 0; i < 100 && d.status() == ExecutionStatus.RUNNING; i++) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            d = sfn.describeExecution(b -> b.executionArn(execution));
        }
        assertEquals(ExecutionStatus.FAILED, d.status(), d.toString());
        ExecutionStatusChange event = new ExecutionStatusChange("0", "e1", ExecutionStatusChange.DETAIL_TYPE,
                ExecutionStatusChange.SOURCE, "123456789012", "2026-11-01T02:41:07Z", "us-east-1", List.of(execution),
                new ExecutionStatusChange.Detail(execution, machine, "rebuild-topic-b", "FAILED",
                        d.startDate().toEpochMilli(), d.stopDate().toEpochMilli(), input, null, d.error(), d.cause()));
        return new FailureNotifier(sfn, AwsClients.build(SnsClient.builder()), TOPIC, "dev").notify(event);
    }

    private static String mail() {
        List<MotoServer.SnsMessage> sent = MOTO.snsMessages().stream().filter(m -> m.topicArn().equals(TOPIC))
                .toList();
        assertEquals(1, sent.size(), sent.toString());
        return sent.get(0).subject() + "\n" + sent.get(0).message();
    }

    @Test
    void aRebuildThatFailedAtValidateInputSaysNothingWasChangedAndHowToStartAgain() {
        String input = SampleEvents.read("historical-rebuilder.json").replaceFirst("\"snsTopicArn\": \"[^\"]*\",", "");
        assertFalse(input.contains("snsTopicArn"), input);

        FailureNotifier.Result r = failedAndNotified(realDefinition(), input);

        assertEquals("InvalidSnsTopicArn", r.failedStep());
        String m = mail();
        assertTrue(m.startsWith("Topic rebuild not started\n"), m);
        assertTrue(m.contains("Error: InvalidInputException\nCause: field 'snsTopicArn': required"), m);
        assertTrue(m.contains("Nothing was changed: the rebuild stopped before it paused the topic")
                && m.contains("no rebuild was started"), m);
        assertFalse(m.contains("stays PAUSED") || m.contains("redrive-execution"), m);
        assertTrue(m.contains("aws stepfunctions start-execution --state-machine-arn "
                + "arn:aws:states:us-east-1:123456789012:stateMachine:" + MACHINE
                + " --input file://rebuild-input.json")
                && m.contains("\"topic\" : \"topic_b\""), m);
    }

    @Test
    void aRebuildRefusedAtPauseTopicIsNotStarted() {
        failedAndNotified(standIn("""
                {"Type": "Fail", "Error": "com.omc.flywheel.shared.errors.RebuildRefusedException",
                 "Cause": "topic topic_b is being rebuilt by execution arn:aws:states:…"}"""),
                SampleEvents.read("historical-rebuilder.json"));

        String m = mail();
        assertTrue(m.startsWith("Topic rebuild not started\n") && m.contains("Nothing was changed"), m);
    }

    @Test
    void aPauseTopicThatFailedOtherwiseMayHaveTakenTheLockAndSaysSo() {
        failedAndNotified(standIn("""
                {"Type": "Fail", "Error": "TransientAwsException", "Cause": "DynamoDB UpdateItem timed out"}"""),
                SampleEvents.read("historical-rebuilder.json"));

        String m = mail();
        assertTrue(m.startsWith("Topic rebuild failed at PauseTopic: check the topic's flag\n"), m);
        assertTrue(m.contains("either as it was, or PAUSED with rebuild_lock naming this execution"), m);
        assertFalse(m.contains("Nothing was changed"), m);
    }

    @Test
    void aRebuildThatFailedAfterPausingTheTopicSaysItStaysPaused() {
        // A Task that succeeds, as PauseTopic's lambda:invoke does once it holds the lock.
        failedAndNotified(standIn("""
                {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "ResultPath": "$.lock",
                 "Parameters": {"TopicArn": "%s", "Message": "lock taken"}, "Next": "RebuildHistory"}"""
                .formatted(LOCK_STAND_IN)), SampleEvents.read("historical-rebuilder.json"));

        String m = mail();
        assertTrue(m.startsWith("Topic rebuild failed: topic stays PAUSED\n"), m);
        assertTrue(m.contains("The topic stays PAUSED (the orchestrator skips it)") && m.contains("out of memory"), m);
        assertFalse(m.contains("Nothing was changed") || m.contains("not started"), m);
    }

    @Test
    void aLambdaErrorsCauseIsShownAsItsMessageAndCutToAReadableLength() {
        assertEquals("msck-repair finished 30 tables", FailureNotifier.readableCause(
                "{\"errorType\":\"PartialFailureException\",\"errorMessage\":\"msck-repair finished 30 tables\","
                        + "\"stackTrace\":[\"com.omc.flywheel.msckrepair.MsckRepairService.finish(…)\"]}"));
        assertEquals("AnalysisException: Path does not exist", FailureNotifier.readableCause(
                "AnalysisException: Path does not exist"));
        String cut = FailureNotifier.readableCause("x".repeat(40_000));
        assertEquals(FailureNotifier.MAX_CAUSE_CHARS, cut.indexOf('…'), "cut at the limit");
        assertTrue(cut.endsWith("…(cut: the whole Cause is in the execution's history)"), cut.substring(9_990));
    }
}
