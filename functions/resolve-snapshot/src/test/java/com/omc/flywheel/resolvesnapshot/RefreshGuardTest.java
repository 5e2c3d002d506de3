package com.omc.flywheel.resolvesnapshot;

import static com.omc.flywheel.resolvesnapshot.ResolveSnapshotTest.MOTO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.Events;
import com.omc.flywheel.shared.JsonLog;
import com.omc.flywheel.shared.errors.ConcurrentRefreshException;
import com.omc.flywheel.shared.errors.TransientAwsException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sfn.SfnClient;
import software.amazon.awssdk.services.sfn.model.ExecutionListItem;
import software.amazon.awssdk.services.sfn.model.ExecutionStatus;

/**
 * No two refreshes on one lake, against moto's Step Functions. Its engine is off here, so an
 * execution stays RUNNING until it is stopped: the state of a refresh in its Glue jobs.
 */
class RefreshGuardTest {
    static final String PREFIXES = "{\"rawInputPrefixes\": [\"" + ResolveSnapshotMarkerTest.ADDRESSABLE + "\", \""
            + ResolveSnapshotMarkerTest.INFOBASE + "\"]";
    /** Pass → Wait 30 s → Succeed: never run here (the engine is off), only listed. */
    static final String DEFINITION = "{\"StartAt\": \"Begin\", \"States\": {"
            + "\"Begin\": {\"Type\": \"Pass\", \"Next\": \"Work\"},"
            + "\"Work\": {\"Type\": \"Wait\", \"Seconds\": 30, \"Next\": \"Done\"},"
            + "\"Done\": {\"Type\": \"Succeed\"}}}";
    /** moto first (MotoServer.shared() sets the SDK's endpoint and region), so the clients below can be built. */
    static final MotoServer STARTED = MOTO;
    static final SfnClient SFN = AwsClients.build(SfnClient.builder());
    /** Answers no call: a handler given it must not reach S3 for the test to pass. */
    static final S3Client NO_S3 = AwsClients.build(S3Client.builder()
            .endpointOverride(URI.create("http://127.0.0.1:9")));
    static final SfnClient NO_SFN = AwsClients.build(SfnClient.builder()
            .endpointOverride(URI.create("http://127.0.0.1:9")));
    String refresh;

    @org.junit.jupiter.api.BeforeAll
    static void settleFast() {
        // Speed only: the guard's second listing 1 s after the first, not 5.
        System.setProperty("REFRESH_GUARD_SETTLE_SECONDS", "1");
    }

    @BeforeEach
    void lakeAndStateMachine() {
        ResolveSnapshotTest.lake();
        MOTO.post("/moto-api/config", "{\"stepfunctions\":{\"execute_state_machine\":false}}");
        refresh = stateMachine("omc-flywheel-dev-db-refresh");
    }

    private static String stateMachine(String name) {
        return SFN.createStateMachine(b -> b.name(name).definition(DEFINITION)
                .roleArn("arn:aws:iam::123456789012:role/omc-flywheel-dev-states")).stateMachineArn();
    }

    /** Starts an execution and waits 5 ms, so the next one starts strictly later (start times have milliseconds). */
    private static String start(String stateMachineArn, String name) {
        String arn = SFN.startExecution(b -> b.stateMachineArn(stateMachineArn).name(name).input("{}")).executionArn();
        assertEquals(ExecutionStatus.RUNNING, SFN.describeExecution(b -> b.executionArn(arn)).status());
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return arn;
    }

    private static String event(String executionArn) {
        return PREFIXES + ", \"executionArn\": \"" + executionArn + "\"}";
    }

    @Test
    void ofTwoRunningExecutionsTheLaterIsRefusedNamingTheEarlierWhichGoesOn() throws Exception {
        // The later one has the smaller ARN: start time decides, the ARN only breaks a tie.
        String earlier = start(refresh, "z-monthly");
        String later = start(refresh, "a-snapshot-arrived");
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();

        JsonLog.redirect(new java.io.PrintStream(log, true, java.nio.charset.StandardCharsets.UTF_8));
        ConcurrentRefreshException e;
        try {
            e = assertThrows(ConcurrentRefreshException.class, () -> SampleEvents.invoke(
                    new ResolveSnapshotHandler(NO_S3, SFN), "resolve-snapshot", event(later)));
        } finally {
            JsonLog.redirect(System.err);
        }
        // What the db-refresh-failed alarm subtracts (template.yaml DbRefreshExecutionsFailedAlarm).
        List<JsonNode> emf = new java.util.ArrayList<>();
        for (String line : log.toString(java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
            JsonNode l = Events.mapper().readTree(line);
            if (l.has("_aws") && l.has("RefreshesRefused")) {
                emf.add(l);
            }
        }
        assertEquals(1, emf.size(), log.toString(java.nio.charset.StandardCharsets.UTF_8));
        assertEquals(1, emf.get(0).get("RefreshesRefused").asInt());
        assertEquals("OMC/Flywheel", emf.get(0).path("_aws").path("CloudWatchMetrics").get(0).path("Namespace")
                .asText());
        assertEquals("ConcurrentRefreshException", e.errorType());
        assertEquals(earlier, e.runningExecutionArn());
        String started = SFN.describeExecution(b -> b.executionArn(earlier)).startDate().toString();
        assertTrue(e.getMessage().contains(earlier) && e.getMessage().contains(started)
                && e.getMessage().contains(later + ") did nothing")
                        && e.getMessage().contains("the running one continues"),
                e.getMessage());

        String out = SampleEvents.invoke(new ResolveSnapshotHandler(), "resolve-snapshot", event(earlier));
        assertTrue(out.contains("\"snapshotDt\":\"2025-10-22\""), "the earlier refresh goes on: " + out);
    }

    /** The same two, the other way round: the earlier asks first and goes on; the later, asking next, is refused. */
    @Test
    void ofTwoRunningExecutionsTheEarlierGoesOnAlsoWhenItAsksFirst() {
        String earlier = start(refresh, "z-monthly");
        String later = start(refresh, "a-snapshot-arrived");

        String out = SampleEvents.invoke(new ResolveSnapshotHandler(), "resolve-snapshot", event(earlier));
        assertTrue(out.contains("\"snapshotDt\":\"2025-10-22\""), "the earlier refresh goes on: " + out);

        ConcurrentRefreshException e = assertThrows(ConcurrentRefreshException.class,
                () -> SampleEvents.invoke(new ResolveSnapshotHandler(NO_S3, SFN), "resolve-snapshot", event(later)));
        assertEquals(earlier, e.runningExecutionArn());
    }

    @Test
    void anExecutionAloneGoesOn() {
        String only = start(refresh, "monthly");
        start(stateMachine("omc-flywheel-dev-topic-orchestrator"), "every-15-minutes");

        String out = SampleEvents.invoke(new ResolveSnapshotHandler(), "resolve-snapshot", event(only));
        assertTrue(out.contains("\"snapshotDt\":\"2025-10-22\""), "another state machine's execution does not count: "
                + out);
    }

    /**
     * The topic orchestrator's guard (mode ADMIT): the verdict is the answer, never an error, and
     * nothing but Step Functions is asked; another state machine's executions do not count.
     */
    @Test
    void modeAdmitAnswersTheVerdictOfTheOrchestratorsRunsWithoutAnError() throws Exception {
        String orchestrator = stateMachine("omc-flywheel-dev-topic-orchestrator");
        start(refresh, "monthly-refresh-running");
        String earlier = start(orchestrator, "at-0200");
        String later = start(orchestrator, "at-0215");
        ResolveSnapshotHandler guardOnly = new ResolveSnapshotHandler(NO_S3, SFN);

        JsonNode refused = Events.mapper().readTree(SampleEvents.invoke(guardOnly, "resolve-snapshot",
                admit(later)));
        JsonNode admitted = Events.mapper().readTree(SampleEvents.invoke(guardOnly, "resolve-snapshot",
                admit(earlier)));

        assertFalse(refused.get("admitted").asBoolean(), refused.toString());
        assertEquals(earlier, refused.get("runningExecutionArn").asText());
        assertEquals(SFN.describeExecution(b -> b.executionArn(earlier)).startDate().toString(),
                refused.get("runningSince").asText());
        assertFalse(refused.has("snapshotDt") || refused.has("resolved"), "no snapshot in ADMIT: " + refused);
        assertEquals("{\"admitted\":true}", admitted.toString(), "the db-refresh running does not count");
    }

    private static String admit(String executionArn) {
        return "{\"mode\": \"ADMIT\", \"executionArn\": \"" + executionArn + "\"}";
    }

    @Test
    void anExecutionThatHasEndedDoesNotHoldTheLake() {
        String stopped = start(refresh, "stopped");
        SFN.stopExecution(b -> b.executionArn(stopped));
        String next = start(refresh, "next");

        String out = SampleEvents.invoke(new ResolveSnapshotHandler(), "resolve-snapshot", event(next));
        assertTrue(out.contains("\"snapshotDt\":\"2025-10-22\""), out);
    }

    @Test
    void anExecutionNotListedYetCountsAsStartedNow() {
        String running = start(refresh, "running");
        String notListed = refresh.replace(":stateMachine:", ":execution:") + ":not-listed-yet";

        ConcurrentRefreshException e = assertThrows(ConcurrentRefreshException.class,
                () -> SampleEvents.invoke(new ResolveSnapshotHandler(NO_S3, SFN), "resolve-snapshot",
                        event(notListed)));
        assertEquals(running, e.runningExecutionArn());
    }

    @Test
    void everyPageIsReadAndTheEarliestRunningExecutionIsNamed() {
        // moto lists newest first: with one execution a page, the earliest is on the last page.
        String first = start(refresh, "first");
        start(refresh, "second");
        String third = start(refresh, "third");

        ConcurrentRefreshException e = assertThrows(ConcurrentRefreshException.class, () -> SampleEvents.invoke(
                new ResolveSnapshotHandler(NO_S3, new RefreshGuard(SFN, 1, 0)), "resolve-snapshot", event(third)));
        assertEquals(first, e.runningExecutionArn());
        String out = SampleEvents.invoke(new ResolveSnapshotHandler(ResolveSnapshotTest.S3,
                new RefreshGuard(SFN, 1, 0)),
                "resolve-snapshot", event(first));
        assertTrue(out.contains("\"snapshotDt\":\"2025-10-22\""), out);
    }

    @Test
    void withoutExecutionArnStepFunctionsIsNotAsked() {
        start(refresh, "running");
        String out = SampleEvents.invoke(new ResolveSnapshotHandler(ResolveSnapshotTest.S3, NO_SFN), "resolve-snapshot",
                PREFIXES + "}");
        assertTrue(out.contains("\"snapshotDt\":\"2025-10-22\""), "a direct invoke is not guarded: " + out);
    }

    @Test
    void stepFunctionsOutOfReachIsTransientAndNamesTheStateMachine() {
        String running = start(refresh, "running");
        TransientAwsException e = assertThrows(TransientAwsException.class,
                () -> SampleEvents.invoke(new ResolveSnapshotHandler(NO_S3, NO_SFN), "resolve-snapshot",
                        event(running)));
        assertTrue(e.getMessage().contains("ListExecutions") && e.getMessage().contains(refresh), e.getMessage());
    }

    /**
     * Two executions started in the same millisecond: the smaller ARN goes on, whichever asks, and
     * whatever order ListExecutions lists them in.
     */
    @Test
    void onATieTheSmallerArnGoesOnAndTheOtherIsRefused() {
        Instant t = Instant.parse("2026-01-01T02:00:00.123Z");
        String a = "arn:aws:states:us-east-1:123456789012:execution:omc-flywheel-dev-db-refresh:a";
        String b = "arn:aws:states:us-east-1:123456789012:execution:omc-flywheel-dev-db-refresh:b";
        for (List<ExecutionListItem> running : List.of(List.of(item(b, t), item(a, t)),
                List.of(item(a, t), item(b, t)))) {
            assertEquals(Optional.empty(), RefreshGuard.holder(a, running, t.plusSeconds(1)), "a goes on: " + running);
            assertEquals(Optional.of(a), RefreshGuard.holder(b, running, t.plusSeconds(1))
                    .map(ExecutionListItem::executionArn), "b is refused, naming a: " + running);
        }
        // Each not yet listed in the other's answer: each sees only itself, and both would go on (the
        // eventual consistency RefreshGuard's javadoc names); listed, exactly one does.
        assertEquals(Optional.empty(), RefreshGuard.holder(b, List.of(item(b, t)), t));
    }

    /**
     * ListExecutions is eventually consistent: here its first answer misses the other execution (a
     * proxy in front of moto empties it). The second listing, after the settle pause, sees it, and
     * the later execution is refused; with no second listing it would have gone on.
     */
    @Test
    void aListingThatMissesTheOtherExecutionIsCaughtByTheSecondOne() {
        String earlier = start(refresh, "monthly");
        String later = start(refresh, "snapshot-arrived-twice");
        java.util.concurrent.atomic.AtomicInteger listings = new java.util.concurrent.atomic.AtomicInteger();
        try (com.omc.flywheel.local.proxy.AwsProxy proxy = com.omc.flywheel.local.proxy.AwsProxy.start(
                MOTO.endpoint())) {
            proxy.addRewrite((call, answer) -> call.key().equals("states:ListExecutions")
                    && listings.incrementAndGet() == 1
                    ? Optional.of(new com.omc.flywheel.local.proxy.AwsProxy.Reply(200, answer.headers(),
                    "{\"executions\": []}".getBytes(java.nio.charset.StandardCharsets.UTF_8))) : Optional.empty());
            SfnClient behind = AwsClients.build(SfnClient.builder().endpointOverride(proxy.endpointUri()));

            ConcurrentRefreshException e = assertThrows(ConcurrentRefreshException.class, () -> SampleEvents.invoke(
                    new ResolveSnapshotHandler(NO_S3, new RefreshGuard(behind, RefreshGuard.PAGE_SIZE, 200)),
                    "resolve-snapshot", event(later)));

            assertEquals(earlier, e.runningExecutionArn());
            assertEquals(2, listings.get(), "listed twice");
            listings.set(0);
            String out = SampleEvents.invoke(new ResolveSnapshotHandler(ResolveSnapshotTest.S3,
                    new RefreshGuard(behind, RefreshGuard.PAGE_SIZE, 0)), "resolve-snapshot", event(later));
            assertTrue(out.contains("\"snapshotDt\""), "without the second listing it would have gone on: " + out);
        }
    }

    /** A redriven execution holds the lake from its redrive, not from its first start. */
    @Test
    void aRedrivenExecutionRanksByItsRedrive() {
        Instant t = Instant.parse("2026-01-01T02:00:00Z");
        String old = "arn:aws:states:us-east-1:123456789012:execution:omc-flywheel-dev-db-refresh:monthly";
        String other = "arn:aws:states:us-east-1:123456789012:execution:omc-flywheel-dev-db-refresh:by-hand";
        ExecutionListItem redriven = item(old, t).toBuilder().redriveDate(t.plusSeconds(7200)).build();
        List<ExecutionListItem> running = List.of(redriven, item(other, t.plusSeconds(3600)));

        assertEquals(Optional.of(other), RefreshGuard.holder(old, running, t.plusSeconds(7300))
                .map(ExecutionListItem::executionArn));
        assertEquals(Optional.empty(), RefreshGuard.holder(other, running, t.plusSeconds(7300)));
    }

    @Test
    void theStateMachineIsTheExecutionsOwn() {
        assertEquals("arn:aws-us-gov:states:us-gov-west-1:123456789012:stateMachine:omc-flywheel-prod-db-refresh",
                RefreshGuard.stateMachineArn(
                        "arn:aws-us-gov:states:us-gov-west-1:123456789012:execution:"
                        + "omc-flywheel-prod-db-refresh:run-1"));
    }

    private static ExecutionListItem item(String arn, Instant start) {
        return ExecutionListItem.builder().executionArn(arn).startDate(start).status(ExecutionStatus.RUNNING).build();
    }
}
