package com.omc.flywheel.statemachine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.moto.MotoServer.SnsMessage;
import com.omc.flywheel.local.proxy.AwsProxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;
import software.amazon.awssdk.services.sfn.model.HistoryEvent;

/**
 * statemachine/db-refresh.asl.json failing: at every step, after a Glue job's retries, and on a
 * States.Runtime error; each fails the execution at its step and is notified once.
 */
class DbRefreshFailureTest extends DbRefreshWorld {
    private static final JsonNode JSON_DEFINITION;

    static {
        try {
            JSON_DEFINITION = JSON.readTree(SampleEvents.repoRoot().resolve("statemachine/db-refresh.asl.json")
                    .toFile());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aGlueJobThatFailsAfterItsRetriesFailsTheRunWithStepErrorAndCauseInTheNotification() {
        cloud.proxy().addRewrite(AwsProxy.failGlueJobRuns(r -> r.path("JobName").asText().equals(JOBS.get(2))
                && r.path("Arguments").path("--S3_ROOT").asText().contains("infobase_attributes"),
                "AnalysisException: Path does not exist: s3://.../IBE_07/"));

        StateMachineHarness.Run run = StateMachineHarness.execute("db-refresh.asl.json",
                SampleEvents.read("db-refresh.json"),
                Duration.ofMinutes(3));

        assertEquals(ExecutionStatus.FAILED, run.execution().status());
        assertEquals("GlueJobFailed", run.execution().error(), "the step's own error fails the execution");
        long infobaseRuns = runs(JOBS.get(2)).stream().filter(r -> r.arguments().get("--S3_ROOT").contains("infobase"))
                .count();
        assertEquals(3, infobaseRuns, "the first run and its two retries");
        List<SnsMessage> sent = notifications();
        assertEquals(1, sent.size(), "one failure notification");
        assertEquals("❌ Database Refresh Failed", sent.get(0).subject());
        String message = sent.get(0).message();
        assertTrue(message.contains("failed in dev at step RegisterTables") && message.contains("GlueJobFailed")
                && message.contains("Path does not exist"), message);
        assertFalse(run.statesEntered().contains("RepairPartitions"));
        assertFailedAt(run, "RegisterTables");
    }

    /** A way to break one step: what the world does wrong, and the input. */
    private record Breakage(String step, Runnable world, String input) {
    }

    private List<Breakage> breakages() {
        return List.of(
                new Breakage("CheckGivenSnapshot", () -> { },
                        input(in -> in.put("snapshotDt", "2024-01-01"))),
                new Breakage("SplitInputs", () -> cloud.proxy()
                        .addRewrite(AwsProxy.failGlueJob(JOBS.get(1), "split broke")),
                        input(in -> { })),
                new Breakage("RegisterTables", () -> cloud.proxy()
                        .addRewrite(AwsProxy.failGlueJob(JOBS.get(2), "register broke")),
                        input(in -> { })),
                new Breakage("RepairPartitions", () -> { },
                        input(in -> ((ObjectNode) in.get("repair")).put("tablePrefix", "Not-A-Prefix"))),
                new Breakage("BuildErTable", () -> cloud.proxy().addRuleFirst(AwsProxy.failAthenaQueries(id -> true,
                        "HIVE_CANNOT_OPEN_SPLIT: ER broke")), input(in -> { })),
                new Breakage("AssociateTables", () -> cloud.cleanRooms()
                        .failCall("CreateConfiguredTableAssociation", 1, 403,
                        "AccessDeniedException"), input(in -> { })),
                new Breakage("Reports", () -> { },
                        input(in -> ((ObjectNode) in.get("reports").get("cleanRooms")).put("report", "NOPE"))));
    }

    /**
     * Issue 14: whichever step fails, that step is the state that fails the execution (a redrive
     * restarts there), nothing runs after it, and notify-failure (the EventBridge rule's target)
     * sends exactly one notification that names it and carries the redrive command.
     */
    @TestFactory
    List<DynamicTest> aFailureAtEveryStepFailsThereAndNotifiesOnceNamingTheStep() {
        return breakages().stream().map(b -> DynamicTest.dynamicTest(b.step(), () -> {
            world();
            b.world().run();

            StateMachineHarness.Run run = StateMachineHarness.execute("db-refresh.asl.json", b.input(),
                    Duration.ofMinutes(3));

            assertEquals(ExecutionStatus.FAILED, run.execution().status(), run.execution().toString());
            assertFailedAt(run, b.step());
            List<SnsMessage> sent = notifications();
            assertEquals(1, sent.size(), "exactly one notification: " + sent);
            assertEquals("❌ Database Refresh Failed", sent.get(0).subject());
            String message = sent.get(0).message();
            assertTrue(message.contains("failed in dev at step " + b.step())
                    && message.contains("Failed step: " + b.step())
                    && message.contains("Error: " + run.execution().error()), message);
            assertTrue(message.contains("bin/flywheel refresh resume " + run.execution().executionArn()), message);
            // Redrive is offered only where it resumes: a failed Task, never after a Fail state.
            boolean failState = run.history().stream().anyMatch(e -> e.typeAsString().equals("FailStateEntered"));
            assertEquals(!failState, message.contains("aws stepfunctions redrive-execution --execution-arn "
                    + run.execution().executionArn()), message);
            assertEquals(failState, message.contains("Do not redrive: it failed in the Fail state"), message);
            assertEquals(1, cloud.lambdas().invocations().get(StateMachineHarness.name("notify-failure")));
        })).toList();
    }

    /**
     * A failure no Catch could see: the input lacks "associate", so AssociateTables' Payload path
     * does not exist (States.Runtime). It fails the execution at AssociateTables, and is notified.
     */
    @Test
    void aStatesRuntimeErrorIsNotifiedToo() {
        StateMachineHarness.Run run = StateMachineHarness.execute("db-refresh.asl.json",
                input(in -> in.remove("associate")),
                Duration.ofMinutes(3));

        assertEquals(ExecutionStatus.FAILED, run.execution().status(), run.execution().toString());
        assertEquals("States.Runtime", run.execution().error(), run.execution().toString());
        assertFailedAt(run, "AssociateTables");
        List<SnsMessage> sent = notifications();
        assertEquals(1, sent.size(), sent.toString());
        String message = sent.get(0).message();
        assertTrue(message.contains("at step AssociateTables") && message.contains("States.Runtime")
                && message.contains("redrive-execution --execution-arn " + run.execution().executionArn()), message);
        assertTrue(message.contains("RepairPartitions: ") && message.contains("partitions added")
                && message.contains("SplitInputs: SplitAddressableIds Glue run jr_"), "what finished: " + message);
        assertTrue(message.contains("\"RepairPartitions\" : true")
                && message.contains("\"snapshotDt\" : \"2025-10-22\""),
                "the skip alternative: " + message);
    }

    /**
     * The step is the state that failed: the last top-level state entered, never exited, with no
     * top-level state entered after it before the execution failed; no catch-all
     * (NotifyFailure, RefreshFailed, Record…Failure) is entered.
     */
    private static void assertFailedAt(StateMachineHarness.Run run, String step) {
        List<String> topLevel = new ArrayList<>();
        JSON_DEFINITION.path("States").fieldNames().forEachRemaining(topLevel::add);
        List<String> entered = run.statesEntered();
        assertTrue(entered.stream().noneMatch(n -> n.equals("NotifyFailure") || n.equals("RefreshFailed")
                || n.startsWith("Record") && n.endsWith("Failure")), entered.toString());
        List<String> enteredTop = entered.stream().filter(topLevel::contains).toList();
        assertEquals(step, enteredTop.get(enteredTop.size() - 1), "the last top-level state entered: " + enteredTop);
        List<HistoryEvent> h = run.history();
        // moto may log a sibling branch's last events after ExecutionFailed; AWS ends the history with it.
        assertEquals(1, h.stream().filter(e -> e.typeAsString().equals("ExecutionFailed")).count());
        int stepEntered = -1;
        for (int i = 0; i < h.size(); i++) {
            if (h.get(i).stateEnteredEventDetails() != null && h.get(i).stateEnteredEventDetails().name()
                    .equals(step)) {
                stepEntered = i;
            }
        }
        for (int i = stepEntered; i < h.size(); i++) {
            HistoryEvent e = h.get(i);
            if (e.stateExitedEventDetails() != null) {
                assertFalse(e.stateExitedEventDetails().name().equals(step), step + " exited: it did not fail");
            }
            if (e.stateEnteredEventDetails() != null) {
                assertFalse(i > stepEntered && topLevel.contains(e.stateEnteredEventDetails().name()),
                        "a top-level state after the failed step: " + e.stateEnteredEventDetails().name());
            }
        }
    }
}
