package com.omc.flywheel.checkstatus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.local.moto.MotoServer;
import com.omc.flywheel.shared.AwsClients;
import com.omc.flywheel.shared.Events;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.athena.AthenaClient;
import software.amazon.awssdk.services.athena.model.QueryExecutionState;
import software.amazon.awssdk.services.glue.GlueClient;
import software.amazon.awssdk.services.glue.model.JobRunState;

/** check-status against a real moto_server. */
class StatusCheckerTest {
    static final String JOB = "etl-omc-flywheel-dev-addressable-split-and-part";
    private static MotoServer moto;
    private static GlueClient glue;
    private static AthenaClient athena;

    @BeforeAll
    static void startMoto() {
        moto = MotoServer.shared();
        glue = AwsClients.build(GlueClient.builder());
        athena = AwsClients.build(AthenaClient.builder());
    }

    @BeforeEach
    void resetMoto() {
        moto.reset();
        moto.glueJobRunsFinishImmediately();
        glue.createJob(b -> b.name(JOB).role("arn:aws:iam::123456789012:role/glue")
                .command(c -> c.name("glueetl").scriptLocation("s3://scripts/split.py")));
    }

    private static JsonNode poll(CheckStatusHandler handler, String body) throws Exception {
        return Events.mapper().readTree(SampleEvents.invoke(handler, "check-status", body));
    }

    private static String glueEvent(String runId, int pollCount) {
        return SampleEvents.read("check-status-glue.json")
                .replaceAll("jr_0+", runId).replace("\"pollCount\": 0", "\"pollCount\": " + pollCount);
    }

    @Test
    void aRunThatGoesOnForSomePollsIsRunningThenSucceeded() throws Exception {
        moto.glueJobRunsTakePolls(3);
        String runId = glue.startJobRun(b -> b.jobName(JOB)).jobRunId();
        CheckStatusHandler handler = new CheckStatusHandler();
        List<String> statuses = new ArrayList<>();
        int pollCount = 0;
        JsonNode out;
        do {
            out = poll(handler, glueEvent(runId, pollCount));
            statuses.add(out.get("status").asText());
            assertEquals(++pollCount, out.get("pollCount").asInt(), "pollCount counts the polls");
            if (!out.get("terminal").asBoolean()) {
                int wait = out.get("nextWaitSeconds").asInt();
                assertTrue(wait >= 30 && wait <= 900, "wait within the template's default bounds: " + wait);
            }
        } while (!out.get("terminal").asBoolean() && pollCount < 20);

        assertEquals("RUNNING", statuses.get(0));
        assertTrue(statuses.size() >= 3, "it ran for several polls: " + statuses);
        assertEquals("SUCCEEDED", out.get("status").asText());
        assertEquals(0, out.get("nextWaitSeconds").asInt());
        assertFalse(out.has("errorMessage"));
    }

    @Test
    void theWaitComesFromTheJobsRecentSuccessfulRuns() throws Exception {
        // Three earlier runs that finished (moto reports each with an execution time of 123 s).
        for (int i = 0; i < 3; i++) {
            String id = glue.startJobRun(b -> b.jobName(JOB)).jobRunId();
            glue.getJobRun(b -> b.jobName(JOB).runId(id));
        }
        moto.glueJobRunsTakePolls(5);
        String runId = glue.startJobRun(b -> b.jobName(JOB)).jobRunId();
        Instant started = glue.getJobRun(b -> b.jobName(JOB).runId(runId)).jobRun().startedOn();
        long history = glue.getJobRuns(b -> b.jobName(JOB)).jobRuns().stream()
                .filter(r -> r.jobRunState() == JobRunState.SUCCEEDED).findFirst().orElseThrow().executionTime();
        StatusChecker checker = new StatusChecker(glue, athena, new PollingPolicy(1, 900, 120, 1, 30), 5,
                Clock.fixed(started.plusSeconds(10), ZoneOffset.UTC));

        CheckStatusResult r = checker.check(new CheckStatusRequest(JOB, runId, null, null));

        assertEquals("RUNNING", r.status());
        assertEquals(history, r.expectedSeconds());
        assertEquals(10L, r.elapsedSeconds());
        assertEquals((long) (history * 0.8) - 10, r.nextWaitSeconds(), "straight to 80 % of the expected time");
    }

    @Test
    void withoutHistoryTheWaitIsATenthOfTheElapsedTime() {
        moto.glueJobRunsTakePolls(5);
        String runId = glue.startJobRun(b -> b.jobName(JOB)).jobRunId();
        Instant started = glue.getJobRun(b -> b.jobName(JOB).runId(runId)).jobRun().startedOn();
        StatusChecker checker = new StatusChecker(glue, athena, new PollingPolicy(30, 900, 120, 2, 30), 5,
                Clock.fixed(started.plusSeconds(2000), ZoneOffset.UTC));

        CheckStatusResult r = checker.check(new CheckStatusRequest(JOB, runId, null, 7));

        assertNull(r.expectedSeconds());
        assertEquals(200, r.nextWaitSeconds());
        assertEquals(8, r.pollCount());
    }

    @Test
    void athenaQueriesReportPerQueryDetail() throws Exception {
        String id = athena.startQueryExecution(b -> b.queryString("MSCK REPAIR TABLE `omc_flywheel_dev`.`part_ibe_01`")
                .workGroup("primary").resultConfiguration(c -> c.outputLocation("s3://results/msck/")))
                        .queryExecutionId();
        JsonNode out = poll(new CheckStatusHandler(),
                SampleEvents.read("check-status-athena.json").replace("00000000-0000-0000-0000-000000000000", id));

        assertEquals("SUCCEEDED", out.get("status").asText());
        assertTrue(out.get("terminal").asBoolean());
        assertEquals(id, out.get("queries").get(0).get("queryExecutionId").asText());
        assertEquals("SUCCEEDED", out.get("queries").get(0).get("state").asText());
    }

    @Test
    void everyGlueStateIsMapped() {
        Set<JobRunState> running = EnumSet.of(JobRunState.STARTING, JobRunState.RUNNING, JobRunState.WAITING,
                JobRunState.STOPPING);
        Set<JobRunState> failed = EnumSet.of(JobRunState.FAILED, JobRunState.ERROR, JobRunState.TIMEOUT,
                JobRunState.STOPPED, JobRunState.EXPIRED, JobRunState.UNKNOWN_TO_SDK_VERSION);
        for (JobRunState s : JobRunState.values()) {
            String expected = running.contains(s) ? "RUNNING" : failed.contains(s) ? "FAILED" : "SUCCEEDED";
            assertEquals(expected, StatusChecker.status(s), s.toString());
        }
        assertEquals("SUCCEEDED", StatusChecker.status(JobRunState.SUCCEEDED));
    }

    @Test
    void everyAthenaStateIsMapped() {
        assertEquals("RUNNING", StatusChecker.status(QueryExecutionState.QUEUED));
        assertEquals("RUNNING", StatusChecker.status(QueryExecutionState.RUNNING));
        assertEquals("SUCCEEDED", StatusChecker.status(QueryExecutionState.SUCCEEDED));
        assertEquals("FAILED", StatusChecker.status(QueryExecutionState.FAILED));
        assertEquals("FAILED", StatusChecker.status(QueryExecutionState.CANCELLED));
        assertEquals("FAILED", StatusChecker.status(QueryExecutionState.UNKNOWN_TO_SDK_VERSION));
    }
}
