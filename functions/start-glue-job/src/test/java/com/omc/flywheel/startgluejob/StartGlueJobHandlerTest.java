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
        assertEquals(first.get("jobRunId"), second.get("jobRunId"));
        assertEquals(1, runs(SPLIT_JOB).size(), "one run in Glue, not two");
    }

    @Test
    void aJobAtItsLimitWithOtherArgumentsIsATransientFailureAndStartsNothing() throws Exception {
        createJob(REGISTER_JOB, 1);
        MOTO.glueJobRunsTakePolls(10);
        String running = invoke(SampleEvents.read("start-glue-job-register-infobase.json")).get("jobRunId").asText();
        String other = SampleEvents.read("start-glue-job-register-infobase.json")
                .replace("infobase_attributes", "addressable_ids");

        TransientAwsException e = assertThrows(TransientAwsException.class, () -> invoke(other));
        assertTrue(e.getMessage().contains(REGISTER_JOB) && e.getMessage().contains(running), e.getMessage());
        assertEquals(1, runs(REGISTER_JOB).size());
    }

    @Test
    void onConcurrencyLimitQueueRaisesTheErrorTheTopicMachinesWaitOnAndStartsNothing() throws Exception {
        createJob(REGISTER_JOB, 1);
        MOTO.glueJobRunsTakePolls(10);
        String running = invoke(SampleEvents.read("start-glue-job-register-infobase.json")).get("jobRunId").asText();
        String other = SampleEvents.read("start-glue-job-register-infobase.json")
                .replace("infobase_attributes", "addressable_ids")
                .replaceFirst("\\{", "{\"onConcurrencyLimit\": \"QUEUE\", ");

        ConcurrencyLimitException e = assertThrows(ConcurrencyLimitException.class, () -> invoke(other));
        assertEquals("ConcurrencyLimitException", e.errorType(), "the name the topic machines' Retry matches");
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
