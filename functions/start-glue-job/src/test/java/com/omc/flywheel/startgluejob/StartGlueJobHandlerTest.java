package com.omc.flywheel.startgluejob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.omc.flywheel.local.fixtures.SampleEvents;
import com.omc.flywheel.shared.Events;
import com.omc.flywheel.shared.errors.ConcurrencyLimitException;
import com.omc.flywheel.shared.errors.ResourceNotFoundException;
import com.omc.flywheel.shared.errors.TransientAwsException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.glue.model.JobRun;

/** start-glue-job against a real moto_server, through the handler Lambda calls. */
class StartGlueJobHandlerTest extends GlueJobFixture {
    private StartGlueJobHandler handler;

    @BeforeEach
    void newHandler() {
        handler = new StartGlueJobHandler();
    }

    private JsonNode invoke(String body) throws Exception {
        return Events.mapper().readTree(SampleEvents.invoke(handler, "start-glue-job", body));
    }

    @Test
    void startsARunWithTheSnapshotDateAsItsArgument() throws Exception {
        createJob(SPLIT_JOB, 1);
        JsonNode out = invoke(SampleEvents.read("start-glue-job.json"));

        assertEquals(SPLIT_JOB, out.get("jobName").asText());
        assertEquals("STARTED", out.get("status").asText());
        assertFalse(out.get("attached").asBoolean());
        JobRun run = GLUE.getJobRun(b -> b.jobName(SPLIT_JOB).runId(out.get("jobRunId").asText())).jobRun();
        // "_NONE_" (today's "latest") is replaced by the run's one snapshot date.
        assertEquals(Map.of("--SNAPSHOT_DT", "2025-10-22"), run.arguments());
        assertEquals(run.startedOn().toString(), out.get("startedOn").asText());
    }

    @Test
    void aSecondCallWhileTheRunIsGoingAdoptsItInsteadOfStartingAnother() throws Exception {
        createJob(SPLIT_JOB, 1);
        MOTO.glueJobRunsTakePolls(10);
        JsonNode first = invoke(SampleEvents.read("start-glue-job.json"));
        JsonNode second = invoke(SampleEvents.read("start-glue-job.json"));

        assertFalse(first.get("attached").asBoolean());
        assertTrue(second.get("attached").asBoolean());
        assertEquals("ATTACHED", second.get("status").asText());
        assertEquals(first.get("jobRunId"), second.get("jobRunId"));
        assertEquals(1, runs(SPLIT_JOB).size(), "one run in Glue, not two");
    }

    /** The register job with room for one run, taken by the infobase registration's run: its id. */
    private String registerJobHeldByTheInfobaseRun() throws Exception {
        createJob(REGISTER_JOB, 1);
        MOTO.glueJobRunsTakePolls(10);
        return invoke(SampleEvents.read("start-glue-job-register-infobase.json")).get("jobRunId").asText();
    }

    /** The other registration of the same job (other arguments), with this onConcurrencyLimit (null: none). */
    private static String registerAddressableIds(String onConcurrencyLimit) {
        String event = SampleEvents.read("start-glue-job-register-infobase.json")
                .replace("infobase_attributes", "addressable_ids");
        return onConcurrencyLimit == null ? event
                : event.replaceFirst("\\{", "{\"onConcurrencyLimit\": \"" + onConcurrencyLimit + "\", ");
    }

    @Test
    void aJobAtItsLimitWithOtherArgumentsIsATransientFailureAndStartsNothing() throws Exception {
        String running = registerJobHeldByTheInfobaseRun();
        String other = registerAddressableIds(null);

        TransientAwsException e = assertThrows(TransientAwsException.class, () -> invoke(other));
        assertTrue(e.getMessage().contains(REGISTER_JOB) && e.getMessage().contains(running), e.getMessage());
        assertEquals(1, runs(REGISTER_JOB).size());
    }

    @Test
    void onConcurrencyLimitWaitAnswersWaitingForSlotWithoutAnErrorAndStartsNothing() throws Exception {
        String running = registerJobHeldByTheInfobaseRun();
        String other = registerAddressableIds("WAIT");

        JsonNode out = invoke(other);

        assertEquals("WAITING_FOR_SLOT", out.get("status").asText(), out.toString());
        assertFalse(out.has("jobRunId") || out.has("startedOn"), "no run: " + out);
        assertFalse(out.get("attached").asBoolean());
        assertEquals(List.of(running), Events.mapper().convertValue(out.get("runningRuns"), List.class));
        assertEquals(1, out.get("maxConcurrentRuns").asInt());
        assertEquals(GlueJobStarter.DEFAULT_SLOT_WAIT_SECONDS, out.get("nextWaitSeconds").asInt());
        assertTrue(out.get("message").asText().contains("MaxConcurrentRuns=1")
                && out.get("message").asText().contains(running)
                && out.get("message").asText().contains("Nothing was started"), out.get("message").asText());
        assertEquals(1, runs(REGISTER_JOB).size(), "nothing started");
    }

    @Test
    void aStepWaitingForASlotStartsWhenTheRunInTheWayHasEnded() throws Exception {
        String running = registerJobHeldByTheInfobaseRun();
        String other = registerAddressableIds("WAIT");
        assertEquals("WAITING_FOR_SLOT", invoke(other).get("status").asText());
        // moto's run ends after a number of reads of it, as check-status makes them.
        String state = "";
        for (int read = 0; read < 20 && !state.equals("SUCCEEDED"); read++) {
            state = GLUE.getJobRun(b -> b.jobName(REGISTER_JOB).runId(running)).jobRun().jobRunStateAsString();
        }
        assertEquals("SUCCEEDED", state, "the run in the way has ended");

        JsonNode out = invoke(other);

        assertEquals("STARTED", out.get("status").asText(), out.toString());
        assertNotEquals(running, out.get("jobRunId").asText());
        assertEquals(2, runs(REGISTER_JOB).size(), "one run each, one after the other");
    }

    /** QUEUE (deprecated) still raises what the definitions before WAIT retry, for their executions in flight. */
    @Test
    void onConcurrencyLimitQueueStillRaisesTheErrorTheOldDefinitionsRetryAndStartsNothing() throws Exception {
        String running = registerJobHeldByTheInfobaseRun();
        String other = registerAddressableIds("QUEUE");

        ConcurrencyLimitException e = assertThrows(ConcurrencyLimitException.class, () -> invoke(other));
        assertEquals("ConcurrencyLimitException", e.errorType(), "the name the old definitions' Retry matches");
        assertTrue(e.getMessage().contains("MaxConcurrentRuns=1") && e.getMessage().contains(running), e.getMessage());
        assertEquals(1, runs(REGISTER_JOB).size(), "nothing started");
    }

    @Test
    void theTwoRegistrationRunsGoSideBySideWhenTheJobAllowsTwo() throws Exception {
        createJob(REGISTER_JOB, 2);
        MOTO.glueJobRunsTakePolls(10);
        JsonNode infobase = invoke(SampleEvents.read("start-glue-job-register-infobase.json"));
        JsonNode addressable = invoke(SampleEvents.read("start-glue-job-register-infobase.json")
                .replace("infobase_attributes", "addressable_ids"));

        assertFalse(infobase.get("attached").asBoolean());
        assertFalse(addressable.get("attached").asBoolean());
        assertNotEquals(infobase.get("jobRunId"), addressable.get("jobRunId"));
        assertEquals(2, runs(REGISTER_JOB).size());
    }

    @Test
    void onConcurrentRunFailNeverAdopts() throws Exception {
        createJob(SPLIT_JOB, 1);
        MOTO.glueJobRunsTakePolls(10);
        invoke(SampleEvents.read("start-glue-job.json"));
        String failMode = SampleEvents.read("start-glue-job.json")
                .replace("\"snapshotDt\"", "\"onConcurrentRun\": \"FAIL\", \"snapshotDt\"");

        assertThrows(TransientAwsException.class, () -> invoke(failMode));
        assertEquals(1, runs(SPLIT_JOB).size());
    }

    @Test
    void aFinishedRunIsNeverAdopted() throws Exception {
        createJob(SPLIT_JOB, 1);
        JsonNode first = invoke(SampleEvents.read("start-glue-job.json"));
        JsonNode second = invoke(SampleEvents.read("start-glue-job.json"));

        assertFalse(second.get("attached").asBoolean());
        assertNotEquals(first.get("jobRunId"), second.get("jobRunId"));
    }

    @Test
    void aMissingJobIsResourceNotFoundNamingIt() {
        ResourceNotFoundException e = assertThrows(ResourceNotFoundException.class,
                () -> invoke(SampleEvents.read("start-glue-job-missing-job.json")));
        assertTrue(e.getMessage().contains("etl-omc-flywheel-dev-no-such-job"), e.getMessage());
    }
}
